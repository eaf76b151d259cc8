using System.Text.Json.Nodes;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;

namespace Virt.Supervisor.Tests.CommandLine;

/// <summary>Our argv for libvirt's xml2argv inputs means what libvirt's does: the same guest devices, ids, boot order and options.</summary>
public sealed class ConformanceArgvTests
{
    [Theory]
    [MemberData(nameof(ConformanceCases.WithArgs), MemberType = typeof(ConformanceCases))]
    public void Guest_devices_match_libvirt(string name)
    {
        var expected = ConformanceCases.ExpectedArgs(name);
        var actual = ArgvFixtures.Build(DomainXml.Parse(ConformanceCases.Xml(name)));

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
    [MemberData(nameof(ConformanceCases.WithErr), MemberType = typeof(ConformanceCases))]
    public void Cases_libvirt_refuses_are_refused(string name)
    {
        var error = Assert.ThrowsAny<VirtException>(() => ArgvFixtures.Build(DomainXml.Parse(ConformanceCases.Xml(name))));
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    private static Dictionary<string, JsonObject> JsonDevices(IReadOnlyList<string> argv) =>
        argv.ValuesOf("-device").Where(v => v.StartsWith('{')).Select(v => JsonNode.Parse(v)!.AsObject())
            .ToDictionary(d => (string)d["id"]!);
}
