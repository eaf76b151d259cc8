using System.Diagnostics;

namespace Virt.Bench;

/// <summary>The baseline the end-to-end figures compare with: QEMU started by hand on the test guest, QMP on a socket.</summary>
public static class BareQemu
{
    public static Process StartGuest(string image, string monitor) =>
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
}
