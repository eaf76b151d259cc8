using Virt.Protocol.Domains;
using Virt.Protocol.Errors;

namespace Virt.Supervisor.CommandLine;

/// <summary>A disk target name's index (hda 0, sdb 1, vdaa 26), or libvirt's error for a name that is none.</summary>
internal static class DiskTargetName
{
    public static int Index(string targetDev) =>
        DiskNames.ToIndex(targetDev) ?? throw new VirtException(ErrorCode.XmlError, $"Unknown disk name '{targetDev}' and no address specified");
}
