using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.Supervisor.Attach;
using Virt.Supervisor.Tests.CommandLine;
using Virt.TestSupport.Fuzzing;
using Xunit.Abstractions;

namespace Virt.Supervisor.Tests.Fuzz;

/// <summary>
/// Hostile user values (commas, '=', newlines, a leading '-', '..', spaces, quotes) in names and paths cannot add
/// or change an option: the built argv has the same options as for a plain value, and parsing it back gives the
/// very values that went in.
/// </summary>
public sealed class ArgvInjectionTests(ITestOutputHelper output)
{
    private sealed record Values(string Name, string DiskPath, string CdromPath, string SerialFile, string ConsoleSocket);

    private static DomainDefinition Domain(Values v) => ArgvFixtures.Minimal() with
    {
        Name = v.Name,
        Devices = ArgvFixtures.Minimal().Devices with
        {
            Disks =
            [
                ArgvFixtures.FileDisk("hda", DiskBus.Ide, v.DiskPath),
                ArgvFixtures.FileDisk("hdc", DiskBus.Ide, v.CdromPath, DiskDeviceKind.Cdrom) with { ReadOnly = true },
            ],
            Serials =
            [
                new CharDevice { SourceType = CharDeviceSourceType.File, Path = v.SerialFile, TargetPort = 0 },
                new CharDevice { SourceType = CharDeviceSourceType.Unix, Path = v.ConsoleSocket, Mode = "bind", TargetPort = 1 },
            ],
        },
    };

    private static readonly Values Plain = new("plain", "/var/lib/a.img", "/var/lib/b.iso", "/var/log/s.log", "/run/c.sock");

    private static IReadOnlyList<string> OptionWords(IReadOnlyList<string> argv) => argv.Where(a => a.StartsWith('-')).ToList();

    [Theory]
    [InlineData("vm,debug-threads=off", "/img/a,file.driver=ssh.img", "-cdrom", "/log/with space,append=off", "/run/x,server=off")]
    [InlineData("-daemonize", "-drive", "../../etc/shadow", "/tmp/a\nb", "/tmp/sock with spaces")]
    [InlineData("vm -S", "/img/=x=", "/img/,,", "/log/'quoted' \"x\"", "/run/=,=,")]
    public void Chosen_hostile_values_round_trip_and_add_no_option(string name, string disk, string cdrom, string serial, string socket) =>
        AssertContained(new Values(name, disk, cdrom, serial, socket));

    [Fact]
    public void Random_hostile_values_round_trip_and_add_no_option()
    {
        var result = FuzzLoop.Run("argv-injection",
            random => new Values(Mutations.Hostile(random), "/" + Mutations.Hostile(random), Mutations.Hostile(random) + ".iso",
                "/l/" + Mutations.Hostile(random), "/r/" + Mutations.Hostile(random)),
            values =>
            {
                AssertContained(values);
                return true;
            },
            e => e is VirtException v && !string.IsNullOrWhiteSpace(v.Message),
            values => values.ToString(),
            budget: FuzzLoop.Budget(2));
        output.WriteLine(result.ToString());
        Assert.True(result.Iterations > result.Rejected, result.ToString());
    }

    private static void AssertContained(Values values)
    {
        var plain = ArgvFixtures.Build(Domain(Plain));
        var hostile = ArgvFixtures.Build(Domain(values));
        Assert.Equal(OptionWords(plain), OptionWords(hostile));

        var parsed = QemuArgvParser.Parse(["qemu-system-x86_64", .. hostile]).Definition;
        Assert.Equal(values.Name, parsed.Name);
        Assert.Equal([values.DiskPath, values.CdromPath], parsed.Devices.Disks.Select(d => d.SourcePath));
        Assert.Equal([values.SerialFile, values.ConsoleSocket], parsed.Devices.Serials.Select(s => s.Path));
    }
}
