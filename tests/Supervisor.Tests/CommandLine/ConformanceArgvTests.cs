using System.Text.Json.Nodes;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.TestSupport;

namespace Virt.Supervisor.Tests.CommandLine;

/// <summary>Our argv for libvirt's xml2argv inputs means what libvirt's does: the same guest devices, ids, boot order and options.</summary>
public sealed class ConformanceArgvTests
{
    /// <summary>libvirt's xml2argv cases with the .args it builds.</summary>
    public static TheoryData<string> CasesWithArgs => ConformanceCorpus.Cases("xml2argv", ".args");

    /// <summary>libvirt's xml2argv cases with the .err it fails with.</summary>
    public static TheoryData<string> CasesWithErr => ConformanceCorpus.Cases("xml2argv", ".err");

    [Theory]
    [MemberData(nameof(CasesWithArgs))]
    public void Guest_devices_match_libvirt(string name)
    {
        var expected = ConformanceCorpus.Args(Path.Combine(ConformanceCorpus.Suite("xml2argv"), name + ".args"));
        var actual = ArgvFixtures.Build(DomainXml.Parse(ConformanceCorpus.Read("xml2argv", name + ".xml")));

        var expectedDevices = JsonDevices(expected);
        var actualDevices = JsonDevices(actual);
        Assert.Equal(expectedDevices.Keys.Order(), actualDevices.Keys.Order());
        foreach (var (id, libvirt) in expectedDevices)
        {
            var ours = actualDevices[id];
            foreach (var key in new[] { "driver", "bootindex", "mac", "bus", "unit", "scsi-id", "write-cache", "index" })
                Assert.True(Equals(libvirt[key]?.ToJsonString(), ours[key]?.ToJsonString()), $"{id}.{key}: libvirt {libvirt[key]?.ToJsonString()}, ours {ours[key]?.ToJsonString()}");
        }
        foreach (var option in new[] { "-m", "-rtc", "-boot", "-uuid", "-display", "-sandbox" })
            Assert.Equal(expected.ValuesOf(option), actual.ValuesOf(option));
        Assert.Equal(expected.Contains("-no-reboot"), actual.Contains("-no-reboot"));
        Assert.Equal(expected.ValuesOf("-global"), actual.ValuesOf("-global"));
    }

    [Theory]
    [MemberData(nameof(CasesWithErr))]
    public void Cases_libvirt_refuses_are_refused(string name)
    {
        var error = Assert.ThrowsAny<VirtException>(() => ArgvFixtures.Build(DomainXml.Parse(ConformanceCorpus.Read("xml2argv", name + ".xml"))));
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    private static Dictionary<string, JsonObject> JsonDevices(IReadOnlyList<string> argv) =>
        argv.ValuesOf("-device").Where(v => v.StartsWith('{')).Select(v => JsonNode.Parse(v)!.AsObject())
            .ToDictionary(d => (string)d["id"]!);
}
