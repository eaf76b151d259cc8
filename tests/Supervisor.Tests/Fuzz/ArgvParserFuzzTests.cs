using Virt.Protocol.Errors;
using Virt.Supervisor.Attach;
using Virt.TestSupport;
using Virt.TestSupport.Fuzzing;
using Xunit.Abstractions;

namespace Virt.Supervisor.Tests.Fuzz;

/// <summary>Mutated conformance command lines: the argv parser gives a definition or a VirtException with a message, nothing else.</summary>
public sealed class ArgvParserFuzzTests(ITestOutputHelper output)
{
    private static readonly Lazy<IReadOnlyList<IReadOnlyList<string>>> Seeds = new(() =>
        ConformanceCorpus.Files(".args", "argv2xml", "xml2argv")
            .Select(file => ShellWords.Parse(File.ReadAllText(file)).Argv)
            .Where(argv => argv.Count > 0)
            .ToList());

    [Fact]
    public void Mutated_conformance_command_lines_parse_or_are_refused_with_a_message()
    {
        Assert.NotEmpty(Seeds.Value);
        var result = FuzzLoop.Run("argv-parse",
            random => Mutate(random, Mutations.Pick(random, Seeds.Value)),
            argv =>
            {
                var parsed = QemuArgvParser.Parse(argv, "fuzzed");
                Assert.False(string.IsNullOrEmpty(parsed.Definition.Name));
                return true;
            },
            e => e is VirtException v && !string.IsNullOrWhiteSpace(v.Message),
            argv => string.Join(" ", argv.Select(Virt.Supervisor.CommandLine.QemuCommandLine.ShellQuote)));
        output.WriteLine(result.ToString());
        Assert.True(result.Iterations > 0);
    }

    /// <summary>Word edits (drop, repeat, swap, insert) and edits inside one option value (keys dropped, repeated, retyped).</summary>
    private static List<string> Mutate(Random random, IReadOnlyList<string> seed)
    {
        var argv = seed.ToList();
        for (var i = 1 + random.Next(3); i > 0; i--)
        {
            var at = 1 + random.Next(Math.Max(1, argv.Count - 1));
            switch (random.Next(7))
            {
                case 0 when at < argv.Count:
                    argv.RemoveAt(at);
                    break;
                case 1 when at < argv.Count:
                    argv.Insert(at, argv[at]);
                    break;
                case 2 when at + 1 < argv.Count:
                    (argv[at], argv[at + 1]) = (argv[at + 1], argv[at]);
                    break;
                case 3:
                    argv.Insert(Math.Min(at, argv.Count), random.Next(2) == 0 ? Mutations.Hostile(random) : "-" + Mutations.Pick(random, OptionNames));
                    break;
                case 4 when at < argv.Count:
                    argv[at] = MutateValue(random, argv[at]);
                    break;
                case 5 when at < argv.Count:
                    argv[at] = System.Text.Encoding.UTF8.GetString(Mutations.Bytes(random, System.Text.Encoding.UTF8.GetBytes(argv[at])));
                    break;
                default:
                    argv.RemoveRange(Math.Min(at, argv.Count), argv.Count - Math.Min(at, argv.Count));
                    break;
            }
        }
        return argv;
    }

    private static readonly string[] OptionNames = ["drive", "device", "blockdev", "netdev", "chardev", "serial", "m", "smp", "name", "uuid", "machine", "boot", "vnc", "cdrom", "hda", "object", "global"];

    private static string MutateValue(Random random, string value)
    {
        var parts = value.Split(',').ToList();
        var at = random.Next(parts.Count);
        switch (random.Next(4))
        {
            case 0 when parts.Count > 1:
                parts.RemoveAt(at);
                break;
            case 1:
                parts.Insert(at, parts[at]);
                break;
            case 2:
                var eq = parts[at].IndexOf('=');
                parts[at] = (eq > 0 ? parts[at][..(eq + 1)] : "") + Mutations.Hostile(random);
                break;
            default:
                parts.Add(Mutations.Pick(random, ["id=", "if=", "format=qcow2", "bus=", "unit=99", "index=-1", "media=", "driver=", "file.filename=", "addr=0x", "size=1T"]) + Mutations.Hostile(random));
                break;
        }
        return string.Join(',', parts);
    }
}
