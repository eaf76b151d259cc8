using System.Security;
using Virt.Supervisor.TestGuest;

namespace Virt.Integration.Tests.Support;

/// <summary>The tiny boot-sector guest as a domain: prints a ready line on its serial file, powers off on ACPI.</summary>
public static class TestGuest
{
    /// <param name="serial">Another &lt;serial&gt; (or &lt;console&gt;) element in place of the serial file.</param>
    public static string Xml(string dir, string name, Guid? uuid = null, string onPoweroff = "destroy", string onCrash = "destroy", string? serial = null)
    {
        var image = Path.Combine(dir, name + ".img");
        if (!File.Exists(image))
            TestGuestImage.Write(image);
        return $"""
            <domain type='qemu'>
              <name>{SecurityElement.Escape(name)}</name>
              <uuid>{uuid ?? Guid.NewGuid()}</uuid>
              <memory unit='MiB'>16</memory>
              <vcpu>1</vcpu>
              <os>
                <type arch='x86_64' machine='pc'>hvm</type>
              </os>
              <features>
                <acpi/>
              </features>
              <on_poweroff>{onPoweroff}</on_poweroff>
              <on_crash>{onCrash}</on_crash>
              <devices>
                <disk type='file' device='disk'>
                  <driver name='qemu' type='raw'/>
                  <source file='{SecurityElement.Escape(image)}'/>
                  <target dev='hda' bus='ide'/>
                </disk>
                {serial ?? $"<serial type='file'><source path='{SecurityElement.Escape(SerialPath(dir, name))}'/><target port='0'/></serial>"}
                <memballoon model='none'/>
              </devices>
            </domain>
            """;
    }

    /// <summary>The guest's XML with more devices (graphics, video), placed before its balloon.</summary>
    public static string WithDevices(string xml, string devices) =>
        xml.Replace("<memballoon model='none'/>", devices + "<memballoon model='none'/>", StringComparison.Ordinal);

    public static string SerialPath(string dir, string name) => Path.Combine(dir, name + ".serial");

    /// <summary>A pty serial port whose output QEMU also keeps in <paramref name="log"/>.</summary>
    public static string PtySerial(string? log = null, bool? append = null) =>
        $"<serial type='pty'>{(log is null ? "" : $"<log file='{SecurityElement.Escape(log)}'{(append is { } a ? $" append='{(a ? "on" : "off")}'" : "")}/>")}<target port='0'/></serial>";

    /// <summary>Waits until the guest printed its ready line, i.e. it has armed the power button.</summary>
    public static Task WaitReadyAsync(string dir, string name, TimeSpan? timeout = null) => WaitReadyInAsync(SerialPath(dir, name), name, timeout);

    /// <summary>Waits until the ready line is in <paramref name="path"/> (a serial file or a serial log).</summary>
    public static Task WaitReadyInAsync(string path, string name, TimeSpan? timeout = null) =>
        WaitForTextAsync(path, TestGuestImage.ReadyLine, $"guest {name} printed no ready line on {path}", timeout);

    /// <summary>Waits until the file at <paramref name="path"/> holds <paramref name="text"/>.</summary>
    public static async Task WaitForTextAsync(string path, string text, string? failure = null, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (DateTime.UtcNow < deadline)
        {
            if (File.Exists(path) && (await File.ReadAllTextAsync(path)).Contains(text, StringComparison.Ordinal))
                return;
            await Task.Delay(10);
        }
        throw new TimeoutException(failure ?? $"no '{text}' in {path}");
    }
}
