using System.Xml.Linq;
using Virt.Integration.Tests.Support;
using Virt.TestSupport;

namespace Virt.Integration.Tests.Libvirt;

/// <summary>
/// The XML Debian's virt-install writes for common invocations (tests/Data/virtinst, made by its generate.sh against
/// virtd): each defines through the real virsh, dumps back with everything it said, and starts on the real QEMU.
/// </summary>
public sealed class VirtInstallXmlTests : DaemonTestBase
{
    private static string DataDirectory => Path.Combine(RepoPaths.Root, "tests", "Data", "virtinst");

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(DataDirectory, "*.xml").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileNameWithoutExtension(file));
        return data;
    }

    private Virsh Client => new(Daemon.SocketPath);

    /// <summary>
    /// As on a libvirt host: a bridge virbr0 with an address and the network default on it, inside a namespace of the
    /// test's own. SPICE resolves its listen address with AI_ADDRCONFIG, which needs an address beyond loopback.
    /// </summary>
    public override async Task InitializeAsync()
    {
        var config = Dir.Combine("virt.hocon");
        await File.WriteAllTextAsync(config, "virt.networks { default { bridge = virbr0 } }\n");
        Daemon = await DaemonProcess.StartInNetworkNamespaceAsync(Dir.Combine("root"), "ip link add virbr0 type bridge\nip addr add 192.168.122.1/24 dev virbr0\nip link set virbr0 up", "--config", config);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Defines_dumps_back_with_nothing_lost_and_starts(string name)
    {
        var disk = Dir.Combine("disk.qcow2");
        var created = await ClientProcess.RunAsync("qemu-img", ["create", "-q", "-f", "qcow2", disk, "64M"]);
        Assert.Equal(0, created.Exit);
        await File.WriteAllBytesAsync(Dir.Combine("install.iso"), new byte[1 << 20]);
        Directory.CreateDirectory(Dir.Combine("share")); // a --filesystem's host directory
        var xml = (await File.ReadAllTextAsync(Path.Combine(DataDirectory, name + ".xml"))).Replace("@DIR@", Dir.Path);
        var file = Dir.Combine(name + ".xml");
        await File.WriteAllTextAsync(file, xml);

        Assert.Equal($"Domain '{name}' defined from {file}\n\n", await Client.OkAsync("define", file));
        var dumped = XDocument.Parse(await Client.OkAsync("dumpxml", "--inactive", name));
        foreach (var leaf in XDocument.Parse(xml).Root!.DescendantsAndSelf().Where(e => !e.HasElements))
            Assert.True(HasLeaf(dumped, leaf), $"{name}: dumpxml lost {leaf} (at {PathOf(leaf)})");

        Assert.Equal($"Domain '{name}' started\n\n", await Client.OkAsync("start", "--paused", name));
        Assert.Equal("paused (user)\n\n", await Client.OkAsync("domstate", "--reason", name));
        await Client.OkAsync("destroy", name);
        var nvram = dumped.Root!.Element("os")?.Element("nvram")?.Value;
        if (nvram is not null)
        {
            // A UEFI guest: its variable store was made from the template at the start, and an undefine must say what
            // becomes of it, as libvirt asks.
            Assert.True(File.Exists(nvram), $"{name}: no variable store at {nvram}");
            var refused = await Client.RunAsync("undefine", name);
            Assert.Equal(1, refused.Exit);
            Assert.Contains("cannot undefine domain with nvram", refused.Err);
            await Client.OkAsync("undefine", "--nvram", name);
            Assert.False(File.Exists(nvram), $"{name}: undefine --nvram left {nvram}");
        }
        else
        {
            await Client.OkAsync("undefine", name);
        }
        Assert.Empty(QemuReaper.FindUnder(Dir.Path));
    }

    /// <summary>
    /// The same element (attributes and text) at the same path: libvirt may add to a definition, never drop from it.
    /// A machine alias comes back as the versioned machine it stands for (q35 as pc-q35-7.2), as libvirt keeps it.
    /// </summary>
    private static bool HasLeaf(XDocument dumped, XElement leaf) =>
        dumped.Root!.DescendantsAndSelf().Any(candidate => PathOf(candidate) == PathOf(leaf) && candidate.Value == leaf.Value
            && leaf.Attributes().All(a => Same(a, candidate.Attribute(a.Name)?.Value)));

    private static bool Same(XAttribute written, string? dumped) =>
        written.Value == dumped
        || (written.Name == "machine" && dumped is not null
            && dumped.StartsWith(written.Value switch { "q35" => "pc-q35-", "pc" => "pc-i440fx-", var other => other + "\0" }, StringComparison.Ordinal));

    private static string PathOf(XElement e) =>
        string.Join("/", e.AncestorsAndSelf().Reverse().Select(a => a.Name.ToString()));
}
