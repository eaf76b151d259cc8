using Virt.Actors.Storage;
using Virt.Protocol.Errors;
using Virt.Protocol.Storage;
using Virt.TestSupport;

namespace Virt.Actors.Tests.Storage;

public sealed class StoragePoolsTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private string Dir => _temp.Combine("storage");

    public void Dispose() => _temp.Dispose();

    private StoragePoolDefinition Pool(string name, string? target = null, Guid? uuid = null)
    {
        var path = target ?? _temp.Combine("pools", name);
        Directory.CreateDirectory(path);
        return new StoragePoolDefinition(name, uuid ?? Guid.NewGuid(), path);
    }

    [Fact]
    public void A_defined_pool_and_its_autostart_survive_a_reopen_and_autostart_makes_it_active()
    {
        var pools = StoragePools.Open(Dir);
        var images = pools.Define(Pool("images"));
        pools.Define(Pool("spare"));
        pools.SetAutostart("images", true);
        Assert.False(pools.Find("images")!.Active);

        var reopened = StoragePools.Open(Dir);
        Assert.Equal(["images", "spare"], reopened.List().Select(p => p.Name));
        var loaded = reopened.Find("images")!;
        Assert.Equal(images.Definition, loaded.Definition);
        Assert.True(loaded is { Active: true, Persistent: true, Autostart: true });
        Assert.True(reopened.Find("spare") is { Active: false, Autostart: false });
        Assert.Same(reopened.Find("images"), reopened.Find(images.Definition.Uuid));
        Assert.Equal("images", reopened.FindByTarget(images.Definition.TargetPath + "/")!.Name);
    }

    [Fact]
    public void Names_uuids_and_target_paths_are_unique_and_a_redefinition_keeps_the_pool_running()
    {
        var pools = StoragePools.Open(Dir);
        var first = pools.Define(Pool("a"));
        pools.Start("a");

        var sameName = Assert.Throws<VirtException>(() => pools.Define(Pool("a")));
        Assert.Equal(ErrorCode.OperationFailed, sameName.Code);
        Assert.Contains($"pool 'a' already exists with uuid {first.Definition.Uuid:D}", sameName.Message);
        var sameUuid = Assert.Throws<VirtException>(() => pools.Define(Pool("b", uuid: first.Definition.Uuid)));
        Assert.Contains($"pool 'a' is already defined with uuid {first.Definition.Uuid:D}", sameUuid.Message);
        var samePath = Assert.Throws<VirtException>(() => pools.Define(Pool("c", first.Definition.TargetPath)));
        Assert.Contains("storage pool 'a' already uses target path", samePath.Message);

        var redefined = pools.Define(first.Definition with { TargetPath = _temp.Combine("pools", "moved") });
        Assert.True(redefined.Active);
        Assert.Equal(["a"], pools.List().Select(p => p.Name));
    }

    [Fact]
    public void An_active_pool_is_not_undefined_and_a_transient_one_is_gone_once_stopped()
    {
        var pools = StoragePools.Open(Dir);
        pools.Define(Pool("kept"));
        pools.Start("kept");
        var active = Assert.Throws<VirtException>(() => pools.Undefine("kept"));
        Assert.Equal(ErrorCode.OperationInvalid, active.Code);
        Assert.Throws<VirtException>(() => pools.Start("kept"));
        pools.Stop("kept");
        pools.Undefine("kept");
        Assert.Empty(Directory.GetFiles(Dir));

        var passing = pools.CreateTransient(Pool("passing"));
        Assert.True(passing is { Active: true, Persistent: false });
        Assert.Throws<VirtException>(() => pools.SetAutostart("passing", true));
        pools.Stop("passing");
        Assert.Null(pools.Find("passing"));
        Assert.Empty(StoragePools.Open(Dir).List());
    }

    [Fact]
    public void A_pool_whose_directory_is_missing_does_not_start_until_it_is_built()
    {
        var pools = StoragePools.Open(Dir);
        var missing = new StoragePoolDefinition("later", Guid.NewGuid(), _temp.Combine("not", "yet"));
        pools.Define(missing);
        var refused = Assert.Throws<VirtException>(() => pools.Start("later"));
        Assert.Contains("cannot open directory", refused.Message);
        pools.Build("later");
        Assert.True(pools.Start("later").Active);

        var unknown = Assert.Throws<VirtException>(() => pools.Start("nosuch"));
        Assert.Equal(ErrorCode.NoStoragePool, unknown.Code);
    }

    [Fact]
    public void Odd_files_in_the_storage_directory_are_reported_and_skipped_never_read_blocking()
    {
        var pools = StoragePools.Open(Dir);
        pools.Define(Pool("good"));
        File.WriteAllText(Path.Combine(Dir, "broken.xml"), "<pool type='dir'><name>broken");
        File.WriteAllText(Path.Combine(Dir, "misnamed.xml"), File.ReadAllText(Path.Combine(Dir, "good.xml")));
        Assert.Equal(0, Fifo.Make(Path.Combine(Dir, "fifo.xml")));

        var problems = new List<string>();
        var reopened = StoragePools.Open(Dir, problems);
        Assert.Equal(["good"], reopened.List().Select(p => p.Name));
        Assert.Equal(3, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("broken.xml: ", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("fifo.xml: not a regular file", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("misnamed.xml: ", StringComparison.Ordinal) && p.Contains("does not match"));
    }
}
