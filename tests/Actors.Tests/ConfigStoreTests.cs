using Virt.Actors.Config;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.TestSupport;

namespace Virt.Actors.Tests;

public sealed class ConfigStoreTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private string Dir => _temp.Combine("qemu");

    public void Dispose() => _temp.Dispose();

    private string[] Entries() =>
        Directory.GetFileSystemEntries(Dir).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    [Fact]
    public void A_config_written_by_hand_without_a_uuid_gets_the_same_one_at_every_scan()
    {
        ConfigStore.Open(Dir);
        File.WriteAllText(Path.Combine(Dir, "hand.xml"),
            "<domain type='qemu'><name>hand</name><memory unit='MiB'>16</memory><os><type arch='x86_64'>hvm</type></os></domain>");
        var first = Assert.Single(ConfigStore.Open(Dir).Scan().Loaded).Definition.Uuid;
        var again = Assert.Single(ConfigStore.Open(Dir).Scan().Loaded).Definition.Uuid;
        Assert.Equal(first, again); // a running QEMU's status file names it: a new one each start orphaned the QEMU
        Assert.Equal(5, first.Version);
    }

    [Fact]
    public void OpenCreatesPrivateDirectory()
    {
        ConfigStore.Open(Dir);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Dir));
    }

    [Fact]
    public void OpenRefusesDirectoryOpenToOthers()
    {
        Directory.CreateDirectory(Dir);
        File.SetUnixFileMode(Dir, (UnixFileMode)Convert.ToInt32("755", 8));

        var e = Assert.Throws<VirtException>(() => ConfigStore.Open(Dir));
        Assert.Equal(ErrorCode.OperationDenied, e.Code);
        Assert.Contains(Dir, e.Message);
        Assert.Contains("0755", e.Message);
    }

    [Fact]
    public void SaveWritesPrivateFileAndLeavesNoTempFile()
    {
        var store = ConfigStore.Open(Dir);
        var def = SmallDomains.Definition("vm1");
        store.Save(def);

        Assert.Equal(["vm1.xml"], Entries());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(store.ConfigPath("vm1")));
        Assert.Equal(DomainXml.Format(def), DomainXml.Format(DomainXml.Parse(File.ReadAllText(store.ConfigPath("vm1")))));
    }

    [Fact]
    public void The_longest_name_that_validates_saves_and_loads_back()
    {
        var store = ConfigStore.Open(Dir);
        var name = new string('é', 125) + "x"; // 251 bytes: NAME.xml is 255
        store.Save(SmallDomains.Definition(name, Guid.NewGuid(), 64));
        store.SetAutostart(name, true);
        var loaded = Assert.Single(ConfigStore.Open(Dir).Scan().Loaded);
        Assert.Equal((name, true), (loaded.Definition.Name, loaded.Autostart));
    }

    [Fact]
    public void FailedWriteKeepsPreviousFile()
    {
        var store = ConfigStore.Open(Dir);
        var uuid = Guid.NewGuid();
        store.Save(SmallDomains.Definition("vm1", uuid, 64));
        var before = File.ReadAllBytes(store.ConfigPath("vm1"));
        // A directory where the temp file must go makes the write fail the way a full or broken disk would.
        Directory.CreateDirectory(Path.Combine(Dir, $".{uuid:D}.virt-tmp"));

        var e = Assert.Throws<VirtException>(() => store.Save(SmallDomains.Definition("vm1", uuid, 128)));
        Assert.Equal(ErrorCode.OperationFailed, e.Code);
        Assert.Contains("vm1.xml", e.Message);
        Assert.Equal(before, File.ReadAllBytes(store.ConfigPath("vm1")));
    }

    [Fact]
    public void ScanLoadsEveryConfigWithAutostart()
    {
        var store = ConfigStore.Open(Dir);
        var a = SmallDomains.Definition("a");
        var b = SmallDomains.Definition("b");
        store.Save(a);
        store.Save(b);
        store.SetAutostart("b", true);

        var scan = ConfigStore.Open(Dir).Scan();
        Assert.Empty(scan.Problems);
        // Records holding lists compare by reference: compare the formatted documents.
        Assert.Equal([("a.xml", DomainXml.Format(a), false), ("b.xml", DomainXml.Format(b), true)],
            scan.Loaded.Select(c => (c.FileName, DomainXml.Format(c.Definition), c.Autostart)));
    }

    [Fact]
    public void ScanSkipsAndReportsBrokenFilesAndClashesWithoutTouchingThem()
    {
        var store = ConfigStore.Open(Dir);
        var uuid = Guid.NewGuid();
        store.Save(SmallDomains.Definition("first", uuid));
        File.WriteAllText(Path.Combine(Dir, "second.xml"), SmallDomains.Xml("second", uuid));
        File.WriteAllText(Path.Combine(Dir, "broken.xml"), "<domain type='qemu'><name>broken</name>");
        File.WriteAllText(Path.Combine(Dir, "renamed.xml"), SmallDomains.Xml("other", Guid.NewGuid()));
        File.WriteAllText(Path.Combine(Dir, "notes.txt"), "not a config");
        var contents = Entries().ToDictionary(n => n, n => File.ReadAllBytes(Path.Combine(Dir, n)));

        var scan = store.Scan();

        Assert.Equal(["first"], scan.Loaded.Select(c => c.Definition.Name));
        var problems = scan.Problems.ToDictionary(p => p.FileName, p => p.Reason);
        Assert.Equal(["broken.xml", "renamed.xml", "second.xml"], problems.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("XML", problems["broken.xml"], StringComparison.OrdinalIgnoreCase);
        Assert.Contains("'other'", problems["renamed.xml"]);
        Assert.Contains("'first'", problems["second.xml"]);
        Assert.Equal(contents.Keys, Entries());
        Assert.All(contents, kv => Assert.Equal(kv.Value, File.ReadAllBytes(Path.Combine(Dir, kv.Key))));
    }

    [Fact]
    public void ScanReadsUtf8WithBomUtf16AndLargeConfigs()
    {
        var store = ConfigStore.Open(Dir);
        File.WriteAllText(store.ConfigPath("bom"), SmallDomains.Xml("bom", Guid.NewGuid()), new System.Text.UTF8Encoding(true));
        File.WriteAllText(store.ConfigPath("wide"), SmallDomains.Xml("wide", Guid.NewGuid()), System.Text.Encoding.Unicode);
        var large = SmallDomains.Definition("large") with { Description = new string('d', 300 * 1024) };
        File.WriteAllText(store.ConfigPath("large"), DomainXml.Format(large));

        var scan = store.Scan();

        Assert.Empty(scan.Problems);
        Assert.Equal(["bom", "large", "wide"], scan.Loaded.Select(c => c.Definition.Name));
        Assert.Equal(large.Description, scan.Loaded[1].Definition.Description);
    }

    [Fact]
    public void RescanReadsOnlyChangedFiles()
    {
        var store = ConfigStore.Open(Dir);
        var uuid = Guid.NewGuid();
        foreach (var name in new[] { "a", "b", "c" })
            store.Save(SmallDomains.Definition(name, name == "b" ? uuid : null));

        Assert.Equal(3, store.Scan().Parsed);
        Assert.Equal(0, store.Scan().Parsed);

        var path = store.ConfigPath("b");
        File.WriteAllText(path, SmallDomains.Xml("b", uuid, 256));
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(1));
        File.Delete(store.ConfigPath("c"));
        var rescan = store.Scan();

        Assert.Equal(1, rescan.Parsed);
        Assert.Equal(["a", "b"], rescan.Loaded.Select(c => c.Definition.Name));
        Assert.Equal(256UL * 1024, rescan.Loaded[1].Definition.MemoryKiB);
    }

    [Fact]
    public void AutostartIsASymlinkToTheConfig()
    {
        var store = ConfigStore.Open(Dir);
        store.Save(SmallDomains.Definition("vm"));
        store.SetAutostart("vm", true);

        var link = new FileInfo(Path.Combine(store.AutostartDirectory, "vm.xml"));
        Assert.Equal(store.ConfigPath("vm"), link.LinkTarget);
        Assert.True(store.IsAutostart("vm"));

        store.SetAutostart("vm", false);
        Assert.False(File.Exists(link.FullName));
        Assert.False(store.IsAutostart("vm"));
    }

    [Fact]
    public void AutostartLinkToAnotherFileDoesNotCount()
    {
        var store = ConfigStore.Open(Dir);
        store.Save(SmallDomains.Definition("vm"));
        Directory.CreateDirectory(store.AutostartDirectory);
        File.CreateSymbolicLink(Path.Combine(store.AutostartDirectory, "vm.xml"), "/etc/hostname");

        Assert.False(store.IsAutostart("vm"));
        Assert.False(Assert.Single(store.Scan().Loaded).Autostart);
    }

    [Fact]
    public void DeleteRemovesConfigAndAutostartLink()
    {
        var store = ConfigStore.Open(Dir);
        store.Save(SmallDomains.Definition("vm"));
        store.Save(SmallDomains.Definition("keep"));
        store.SetAutostart("vm", true);

        store.Delete("vm");

        Assert.Equal(["autostart", "keep.xml"], Entries());
        Assert.Empty(Directory.GetFileSystemEntries(store.AutostartDirectory));
    }

    [Fact]
    public void OpenRemovesOnlyItsOwnLeftoverTempFiles()
    {
        Directory.CreateDirectory(Dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.WriteAllText(Path.Combine(Dir, ".vm.xml.virt-tmp"), "half written by an older version");
        File.WriteAllText(Path.Combine(Dir, $".{Guid.NewGuid():D}.virt-tmp"), "half written");
        File.WriteAllText(Path.Combine(Dir, ".hidden.xml"), "user file");
        File.WriteAllText(Path.Combine(Dir, ".notes.virt-tmp"), "user file");
        File.WriteAllText(Path.Combine(Dir, "vm.xml.bak"), "user file");

        var scan = ConfigStore.Open(Dir).Scan();

        Assert.Equal([".hidden.xml", ".notes.virt-tmp", "vm.xml.bak"], Entries());
        Assert.Empty(scan.Loaded);
        Assert.Empty(scan.Problems);
    }
}
