namespace Virt.Supervisor.CommandLine;

/// <summary>
/// The -blockdev node names of a domain's disks, libvirt's: the last disk is libvirt-1, the first libvirt-N. A start
/// writes them and the stats read them back from query-blockstats, so both take them from here.
/// </summary>
public static class DiskNodeNames
{
    public static int Number(int diskIndex, int diskCount) => diskCount - diskIndex;

    public static string Storage(int number) => $"libvirt-{number}-storage";

    public static string Format(int number) => $"libvirt-{number}-format";
}
