using System.Diagnostics;

namespace Virt.Bench;

/// <summary>The test guest the lifecycle benches use: started by hand as bare QEMU (the baseline), or defined as a domain.</summary>
public static class BenchGuest
{
    public static Process StartBareQemu(string image, string monitor) =>
        Process.Start(new ProcessStartInfo("qemu-system-x86_64")
        {
            ArgumentList =
            {
                "-machine", "pc,acpi=on", "-accel", "tcg", "-m", "16", "-nodefaults", "-no-user-config", "-display", "none",
                "-drive", $"file={image},format=raw,if=ide", "-qmp", $"unix:{monitor},server=on,wait=off",
            },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;

    /// <summary>The same guest as a domain, for the runs that go through Virt (16 MiB unless told).</summary>
    public static string DomainXml(string name, string image, int memoryMiB = 16) => $"""
        <domain type='qemu'>
          <name>{name}</name>
          <memory unit='MiB'>{memoryMiB}</memory>
          <os><type arch='x86_64' machine='pc'>hvm</type></os>
          <features><acpi/></features>
          <devices>
            <disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='{image}'/><target dev='hda' bus='ide'/></disk>
            <memballoon model='none'/>
          </devices>
        </domain>
        """;
}
