using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.TestSupport;
using Xunit.Abstractions;

namespace Virt.Supervisor.Tests.CommandLine;

/// <summary>
/// libvirt 11.3's qemuxmlconf cases (../shared/conformance/qemuxmlconf): every one is either refused, naming what,
/// or converted to a command line that means the same to the guest as libvirt's own .args for it.
/// </summary>
public sealed class QemuXmlConfTests(ITestOutputHelper output)
{
    [Fact]
    public void Every_case_is_refused_by_name_or_converted_with_libvirts_meaning()
    {
        var caps = HostQemu.Caps;
        string Machine(string name) => caps.FindMachine(name)?.Name ?? name;
        var converted = new List<string>();
        var refused = new List<(string Case, string Why)>();
        var different = new List<(string Case, List<string> Lines)>();
        foreach (var args in ConformanceCorpus.Files(".args", "qemuxmlconf"))
        {
            var name = Path.GetFileNameWithoutExtension(args);
            IReadOnlyList<string> ours;
            try
            {
                var def = DomainXml.Parse(ConformanceCorpus.Read("qemuxmlconf", name + ".xml"));
                // libvirt's suite builds kvm cases as on a host with KVM; so does this, with this host's emulator otherwise.
                ours = ArgvFixtures.Build(def, def.Type == DomainType.Kvm ? caps with { KvmPresent = true, KvmEnabled = true, Accelerators = ["tcg", "kvm"] } : caps);
            }
            catch (VirtException e)
            {
                refused.Add((name, e.Message.Split('\n')[0]));
                continue;
            }
            var lines = GuestView.Differences(GuestView.Of(ConformanceCorpus.Args(args), Machine), GuestView.Of(WithDefaultCpu(ours), Machine));
            if (EmulatorDependent.TryGetValue(name, out var expected))
            {
                // What libvirt adds on an emulator that has the device, as ours has: that much, and nothing else, differs.
                Assert.True(lines.Count > 0 && lines.All(expected.Contains), $"{name}: {string.Join(" | ", lines)}");
                converted.Add(name);
                continue;
            }
            if (lines.Count == 0)
                converted.Add(name);
            else
                different.Add((name, lines));
        }
        output.WriteLine($"{converted.Count} converted with libvirt's meaning, {refused.Count} refused, {different.Count} converted differently");
        foreach (var (name, lines) in different)
            output.WriteLine($"DIFF {name}: {string.Join(" | ", lines.Take(6))}");
        output.WriteLine($"CONVERTED {string.Join(" ", converted)}");
        foreach (var (name, why) in refused)
            output.WriteLine($"REFUSED {name}: {why}");
        Assert.True(different.Count == 0, $"{different.Count} cases convert to a guest that differs from libvirt's: {string.Join(", ", different.Select(d => d.Case))}");
    }

    /// <summary>
    /// Cases libvirt's suite runs with an emulator lacking something ours has, and the lines that differ for that alone:
    /// with no xHCI libvirt adds no USB controller to q35; with one it adds qemu-xhci behind a root port, and a spare port.
    /// </summary>
    private static readonly Dictionary<string, HashSet<string>> EmulatorDependent = new()
    {
        ["usb-controller-automatic-unavailable-q35"] =
        [
            "device pci.1 (pcie-root-port): only in ours",
            "device pci.2 (pcie-root-port): only in ours",
            "device usb (qemu-xhci): only in ours",
        ],
    };

    /// <summary>Without -cpu QEMU gives a TCG guest qemu64, which libvirt writes out.</summary>
    private static List<string> WithDefaultCpu(IReadOnlyList<string> argv) =>
        argv.Contains("-cpu") ? [.. argv] : [.. argv, "-cpu", "qemu64"];
}
