using System.Text.Json;
using Virt.Protocol.Domains;
using Virt.Supervisor.Live;
using Virt.Supervisor.Tests.CommandLine;

namespace Virt.Supervisor.Tests.Live;

/// <summary>The live serials and consoles: QEMU's pty paths under libvirt's aliases, and the console libvirt adds.</summary>
public sealed class ConsolePtysTests
{
    private static readonly Dictionary<string, string> Ptys = ConsolePtys.PtyPaths(JsonDocument.Parse("""
        [{"frontend-open": true, "filename": "pty:/dev/pts/7", "label": "charserial0"},
         {"frontend-open": false, "filename": "pty:/dev/pts/9", "label": "charconsole1"},
         {"frontend-open": true, "filename": "unix:/run/mon.sock,server=on", "label": "charmonitor"}]
        """).RootElement);

    [Fact]
    public void Query_chardev_gives_the_pty_of_each_chardev_and_nothing_for_sockets() =>
        Assert.Equal(new Dictionary<string, string> { ["charserial0"] = "/dev/pts/7", ["charconsole1"] = "/dev/pts/9" }, Ptys);

    [Fact]
    public void A_serial_gets_its_pty_and_alias_and_the_compatibility_console_the_same()
    {
        var live = ConsolePtys.Named(ArgvFixtures.Minimal().WithDevices(d => d with
        {
            Serials = [new CharDevice { SourceType = CharDeviceSourceType.Pty }],
            Consoles = [new CharDevice { SourceType = CharDeviceSourceType.Pty, TargetType = "serial" }],
        }), Ptys);
        var serial = Assert.Single(live.Devices.Serials);
        Assert.Equal(("/dev/pts/7", "serial0"), (serial.Path, serial.Alias));
        var console = Assert.Single(live.Devices.Consoles);
        Assert.Equal(("/dev/pts/7", "serial0", "serial", 0), (console.Path, console.Alias, console.TargetType, console.TargetPort));
    }

    [Fact]
    public void A_virtio_console_is_named_by_its_index_and_a_lone_serial_console_is_serial_0()
    {
        var live = ConsolePtys.Named(ArgvFixtures.Minimal().WithDevices(d => d with
        {
            Consoles = [new CharDevice { SourceType = CharDeviceSourceType.Pty }, new CharDevice { SourceType = CharDeviceSourceType.Pty, TargetType = "virtio" }],
        }), Ptys);
        Assert.Empty(live.Devices.Serials);
        Assert.Equal([("serial0", "/dev/pts/7"), ("console1", "/dev/pts/9")], live.Devices.Consoles.Select(c => (c.Alias, c.Path)));
    }

    [Fact]
    public void The_live_console_formats_as_libvirt_with_tty_source_log_target_and_alias()
    {
        var live = ConsolePtys.Named(ArgvFixtures.Minimal().WithDevices(d => d with
        {
            Serials = [new CharDevice { SourceType = CharDeviceSourceType.Pty, LogFile = "/var/log/g.log", LogAppend = true }],
            Consoles = [new CharDevice { SourceType = CharDeviceSourceType.Pty }],
        }), Ptys);
        var xml = DomainXml.Format(live);
        Assert.Contains("""
            <console type='pty' tty='/dev/pts/7'>
                  <source path='/dev/pts/7'/>
                  <log file='/var/log/g.log' append='on'/>
                  <target type='serial' port='0'/>
                  <alias name='serial0'/>
                </console>
            """.Replace("\r", "", StringComparison.Ordinal), xml, StringComparison.Ordinal);
        Assert.Equal(xml, DomainXml.Format(DomainXml.Parse(xml)));
    }
}
