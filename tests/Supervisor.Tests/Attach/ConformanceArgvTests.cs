using Virt.Protocol.Domains;
using Virt.Supervisor.Attach;
using Virt.TestSupport;

namespace Virt.Supervisor.Tests.Attach;

/// <summary>libvirt's argv2xml and xml2argv corpora: each command line parses to the meaning of its XML.</summary>
public sealed class ConformanceArgvTests
{
    public static TheoryData<string> Argv2XmlCases() => ConformanceCorpus.Cases("argv2xml", ".args");
    public static TheoryData<string> Xml2ArgvCases() => ConformanceCorpus.Cases("xml2argv", ".args");

    private static (ParsedQemuCommandLine Parsed, DomainDefinition Expected) Load(string dir, string name)
    {
        var args = ShellWords.Parse(ConformanceCorpus.Read(dir, name + ".args"));
        var parsed = QemuArgvParser.Parse(args.Argv, "fallback");
        var expected = DomainXml.ParseFile(Path.Combine(ConformanceCorpus.Suite(dir), name + ".xml"));
        return (parsed, expected);
    }

    [Fact]
    public void The_corpora_are_there()
    {
        Assert.NotEmpty(Argv2XmlCases());
        Assert.NotEmpty(Xml2ArgvCases());
    }

    [Theory]
    [MemberData(nameof(Argv2XmlCases))]
    public void Argv2xml_command_line_means_its_xml(string name)
    {
        var (parsed, expected) = Load("argv2xml", name);

        // Deliberate difference: the human monitor (-monitor unix:...) is not part of the model and is kept
        // as passthrough, so the domain is tainted; libvirt's argv2xml dropped it.
        Assert.Equal(["-monitor", "unix:/tmp/test-monitor,server,nowait"], parsed.Passthrough);
        Assert.Equal([DomainTaints.CustomArgv], parsed.Taints);
        Assert.Null(parsed.MonitorSocketPath);
        Assert.True(parsed.StartPaused);

        // Compared through the formatter, which writes every field the model holds, after removing what
        // the old command lines cannot express: PCI slots (QEMU assigned them, argv does not say) and the
        // video vram/heads that libvirt fills in with its defaults.
        Assert.Equal(DomainXml.Format(Comparable(expected)), DomainXml.Format(Comparable(parsed.Definition with { QemuCommandLine = [] })));
    }

    [Theory]
    [MemberData(nameof(Xml2ArgvCases))]
    public void Xml2argv_command_line_keeps_the_main_facts_of_its_xml(string name)
    {
        var (parsed, expected) = Load("xml2argv", name);
        var actual = parsed.Definition;

        Assert.Equal(expected.Name, actual.Name);
        Assert.Equal(expected.Uuid, actual.Uuid);
        // libvirt rounds memory up to a whole MiB on x86 when it writes -m.
        Assert.Equal((expected.MemoryKiB + 1023) / 1024 * 1024, actual.MemoryKiB);
        Assert.Equal(expected.Vcpu.Count, actual.Vcpu.Count);
        Assert.Equal(expected.Type, actual.Type);
        Assert.Equal(expected.Os.Machine, actual.Os.Machine);
        Assert.Equal(expected.Devices.Emulator, actual.Devices.Emulator);
        Assert.Equal(expected.Devices.Disks.Select(DiskFacts), actual.Devices.Disks.Select(DiskFacts));
        Assert.Equal(expected.Devices.Interfaces.Select(NicFacts), actual.Devices.Interfaces.Select(NicFacts));
        Assert.Equal(expected.Devices.Graphics.Select(g => (g.Port, g.Listen, g.Socket)), actual.Devices.Graphics.Select(g => (g.Port, g.Listen, g.Socket)));
        Assert.Equal(expected.Devices.Watchdog?.Model, actual.Devices.Watchdog?.Model);
        Assert.Equal(expected.Devices.Watchdog?.Action, actual.Devices.Watchdog?.Action);
        Assert.Equal(expected.Devices.Memballoon?.Model ?? "virtio", actual.Devices.Memballoon?.Model);
        Assert.Equal(expected.Devices.Serials.Select(s => (s.SourceType, s.TargetPort)), actual.Devices.Serials.Select(s => (s.SourceType, s.TargetPort)));
        // libvirt's QMP monitor is an inherited fd (fd=1729) here, not a socket path Virt could connect to.
        Assert.Null(parsed.MonitorSocketPath);
    }

    private static string DiskFacts(DiskDevice d) =>
        $"{d.TargetDev} {d.TargetBus} {d.Device} {d.SourceType} {d.SourcePath} {d.NetworkSource?.Protocol} {d.NetworkSource?.Name} " +
        $"{string.Join(' ', d.NetworkSource?.Hosts.Select(h => h.Name + ":" + h.Port) ?? [])} ro={d.ReadOnly}";

    private static string NicFacts(InterfaceDevice n) =>
        $"{n.Type} {n.Mac} {n.Model} {string.Join(' ', n.Ips.Select(i => $"{i.Address}/{i.Prefix} {i.Family}"))}";

    private static DomainDefinition Comparable(DomainDefinition d)
    {
        static DeviceAddress? NoPci(DeviceAddress? a) => a?.Type == "pci" ? null : a;
        var devices = d.Devices with
        {
            Controllers = d.Devices.Controllers.Select(c => c with { Address = NoPci(c.Address) }).OrderBy(c => c.Type, StringComparer.Ordinal).ThenBy(c => c.Index).ToList(),
            Interfaces = d.Devices.Interfaces.Select(n => n with { Address = NoPci(n.Address) }).ToList(),
            Videos = d.Devices.Videos.Select(v => v with { Address = NoPci(v.Address), Vram = null, Heads = null }).ToList(),
            Disks = d.Devices.Disks.Select(x => x with { Address = NoPci(x.Address) }).ToList(),
        };
        return d with { Devices = devices };
    }
}
