using System.Text.Json.Nodes;
using Virt.Protocol.Domains;
using Virt.Supervisor.CommandLine;
using Virt.TestSupport;

namespace Virt.Supervisor.Tests.CommandLine;

/// <summary>
/// Each xml2argv case, with host paths swapped for files this test creates, runs on the real QEMU,
/// which then shows over QMP the disks, devices, serial ports and VNC server the XML asks for.
/// Swaps, and why: host block devices (/dev/HostVG/..., /dev/cdrom) and network disks (nbd on
/// example.org) do not exist here, so each becomes an image of the same format; file chardevs move
/// into the test directory; a VNC listen on an address this host does not have moves to 127.0.0.1.
/// </summary>
public sealed class ConformanceOnRealQemuTests
{
    /// <summary>libvirt's xml2argv cases with the .args it builds.</summary>
    public static TheoryData<string> CasesWithArgs => ConformanceCorpus.Cases("xml2argv", ".args");

    [Theory]
    [MemberData(nameof(CasesWithArgs))]
    public async Task Runs_on_qemu_with_the_devices_the_xml_asks_for(string name)
    {
        using var dir = new TempDirectory();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var ct = timeout.Token;
        var def = Localize(DomainXml.Parse(ConformanceCorpus.Read("xml2argv", name + ".xml")), dir);
        var ctx = new QemuArgvContext(dir.Combine("mon.sock"), dir.Path);
        var line = QemuArgvBuilder.Build(def, HostQemu.Caps, ctx);

        await using var qemu = await RunningQemu.StartAsync(line, ctx.MonitorSocketPath, ct);

        var status = await qemu.ExecuteAsync("query-status", ct);
        Assert.Equal("prelaunch", (string?)status["status"]); // -S: built, not running

        var block = (await qemu.ExecuteAsync("query-block", ct)).AsArray();
        var files = block.Select(b => (string?)b!["inserted"]?["file"]).Where(f => f is not null).Order().ToList();
        Assert.Equal(def.Devices.Disks.Where(d => d.SourcePath is not null).Select(d => d.SourcePath).Order().ToList(), files);
        var emptyDrives = block.Count(b => b!["inserted"] is null);
        Assert.Equal(def.Devices.Disks.Count(d => d.SourcePath is null), emptyDrives);

        var peripherals = (await qemu.ExecuteAsync("qom-list", ct, new JsonObject { ["path"] = "/machine/peripheral" })).AsArray()
            .Select(p => (string)p!["name"]!).ToHashSet();
        foreach (var id in ExpectedDeviceIds(def))
            Assert.True(peripherals.Contains(id), $"{name}: no device '{id}' in /machine/peripheral: {string.Join(", ", peripherals)}");

        var chardevs = (await qemu.ExecuteAsync("query-chardev", ct)).AsArray();
        for (var i = 0; i < def.Devices.Serials.Count; i++)
        {
            var serial = def.Devices.Serials[i];
            Assert.Contains(chardevs, c => (string?)c!["label"] == $"charserial{serial.TargetPort ?? i}");
            if (serial.SourceType == CharDeviceSourceType.File)
                Assert.True(File.Exists(serial.Path), $"QEMU did not open the serial log {serial.Path}");
        }

        var vnc = await qemu.ExecuteAsync("query-vnc", ct);
        Assert.Equal(def.Devices.Graphics.Count > 0, (bool)vnc["enabled"]!);
    }

    private static IEnumerable<string> ExpectedDeviceIds(DomainDefinition def)
    {
        var d = def.Devices;
        for (var i = 0; i < d.Interfaces.Count; i++)
            yield return $"net{i}";
        for (var i = 0; i < d.Videos.Count(v => v.ModelType != "none"); i++)
            yield return $"video{i}";
        for (var i = 0; i < d.Serials.Count; i++)
            yield return $"serial{d.Serials[i].TargetPort ?? i}";
        if (d.Watchdog is not null)
            yield return "watchdog0";
        if (d.Memballoon?.Model != "none")
            yield return "balloon0";
        for (var i = 0; i < d.Rngs.Count; i++)
            yield return $"rng{i}";
        if (d.Controllers.Any(c => c.Type == "usb" && c.Model != "none"))
            yield return "usb";
    }

    private static DomainDefinition Localize(DomainDefinition def, TempDirectory dir)
    {
        var disks = def.Devices.Disks.Select((disk, i) =>
        {
            if (disk.SourcePath is null && disk.NetworkSource is null)
                return disk;
            var format = disk.DriverType is null or "iso" ? "raw" : disk.DriverType;
            var path = dir.Combine($"disk{i}.{format}");
            HostQemu.CreateImage(path, format);
            return disk with { SourceType = DiskSourceType.File, SourcePath = path, NetworkSource = null };
        }).ToList();
        CharDevice Move(CharDevice c) => c.SourceType == CharDeviceSourceType.File ? c with { Path = dir.Combine("serial.log") } : c;
        var graphics = def.Devices.Graphics.Select(g => g with { Listen = null, Listens = [], AutoPort = true, Port = null }).ToList();
        return def with
        {
            Devices = def.Devices with
            {
                Disks = disks,
                Serials = def.Devices.Serials.Select(Move).ToList(),
                Consoles = def.Devices.Consoles.Select(Move).ToList(),
                Graphics = graphics,
            },
        };
    }
}
