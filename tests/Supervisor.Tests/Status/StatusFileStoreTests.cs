using System.Runtime.Versioning;
using Virt.Protocol.Errors;
using Virt.Supervisor.Status;
using Virt.TestSupport;

namespace Virt.Supervisor.Tests.Status;

[SupportedOSPlatform("linux")]
public sealed class StatusFileStoreTests
{
    private static DomainStatusFile Sample(Guid uuid, string xml = "<domain type='qemu'><name>vm1</name></domain>") => new()
    {
        Uuid = uuid,
        Name = "vm1",
        Pid = 4242,
        ProcessStartTime = 987654321UL,
        MonitorPath = "/run/virt/qemu/1.mon",
        State = "running",
        Reason = "booted",
        DomainXml = xml,
        AutodestroyOwner = "conn-7",
        Taints = ["custom-argv"],
    };

    [Fact]
    public void Round_trip_keeps_every_field()
    {
        using var dir = new TempDirectory();
        var store = new StatusFileStore(dir.Combine("run"));
        var status = Sample(Guid.NewGuid());
        store.Write(status);

        var read = store.Read(status.Uuid);
        Assert.NotNull(read);
        Assert.Null(read.Error);
        Assert.Equal(status with { Taints = [] }, read.Status! with { Taints = [] });
        Assert.Equal(status.Taints, read.Status!.Taints);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(store.PathFor(status.Uuid)));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(store.Directory));
    }

    [Fact]
    public void Null_autodestroy_owner_and_no_taints_round_trip()
    {
        using var dir = new TempDirectory();
        var store = new StatusFileStore(dir.Path);
        var status = Sample(Guid.NewGuid()) with { AutodestroyOwner = null, Taints = [] };
        store.Write(status);
        var read = store.Read(status.Uuid)!.Status!;
        Assert.Null(read.AutodestroyOwner);
        Assert.Empty(read.Taints);
    }

    [Fact]
    public void Rewrite_replaces_and_leaves_no_temp_files()
    {
        using var dir = new TempDirectory();
        var store = new StatusFileStore(dir.Path);
        var uuid = Guid.NewGuid();
        store.Write(Sample(uuid));
        store.Write(Sample(uuid) with { State = "paused", Reason = "user" });

        Assert.Equal(("paused", "user"), (store.Read(uuid)!.Status!.State, store.Read(uuid)!.Status!.Reason));
        Assert.Equal([store.PathFor(uuid)], Directory.GetFiles(dir.Path));
    }

    [Fact]
    public async Task Readers_never_see_a_partial_file_while_it_is_rewritten()
    {
        using var dir = new TempDirectory();
        var store = new StatusFileStore(dir.Path);
        var uuid = Guid.NewGuid();
        var small = Sample(uuid, "<domain/>");
        var large = Sample(uuid, "<domain>" + new string('x', 256 * 1024) + "</domain>");
        store.Write(small);

        using var stop = new CancellationTokenSource();
        var reads = 0;
        var reader = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                var read = store.Read(uuid);
                Assert.NotNull(read);
                Assert.True(read.IsValid, read.Error);
                Assert.Contains(read.Status!.DomainXml, new[] { small.DomainXml, large.DomainXml });
                Interlocked.Increment(ref reads);
            }
        });
        // At least 100 rewrites, and on until the reader has overlapped some of them (a loaded machine may
        // start it late); bounded in time.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        for (var i = 0; (i < 100 || Volatile.Read(ref reads) < 20) && !reader.IsCompleted && DateTime.UtcNow < deadline; i++)
            store.Write(i % 2 == 0 ? large : small);
        stop.Cancel();
        await reader;
        Assert.True(reads > 0);
        Assert.Single(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void A_failed_write_leaves_no_temp_file_and_says_which_file()
    {
        using var dir = new TempDirectory();
        var store = new StatusFileStore(dir.Path);
        var uuid = Guid.NewGuid();
        Directory.CreateDirectory(store.PathFor(uuid)); // the rename target is in the way

        var e = Assert.Throws<VirtException>(() => store.Write(Sample(uuid)));
        Assert.Equal(ErrorCode.OperationFailed, e.Code);
        Assert.Contains(store.PathFor(uuid), e.Message);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void List_reports_corrupt_files_beside_good_ones()
    {
        using var dir = new TempDirectory();
        var store = new StatusFileStore(dir.Path);
        var good = Sample(Guid.NewGuid());
        store.Write(good);
        var truncated = store.PathFor(Guid.NewGuid());
        File.WriteAllText(truncated, "{\"version\": 1, \"uuid\": ");
        var missingField = store.PathFor(Guid.NewGuid());
        File.WriteAllText(missingField, "{\"version\": 1, \"name\": \"x\"}");
        var misnamed = store.PathFor(Guid.NewGuid());
        File.Copy(store.PathFor(good.Uuid), misnamed);
        File.WriteAllText(Path.Combine(dir.Path, "." + Path.GetFileName(store.PathFor(good.Uuid)) + ".tmp-abc"), "partial");

        var all = store.List().ToDictionary(r => r.Path);
        Assert.Equal(4, all.Count);
        Assert.Equal(good, all[store.PathFor(good.Uuid)].Status! with { Taints = good.Taints });
        Assert.Contains("not a valid status file", all[truncated].Error);
        Assert.Contains("not a valid status file", all[missingField].Error);
        Assert.Contains("named", all[misnamed].Error);
        Assert.All([truncated, missingField, misnamed], p => Assert.Null(all[p].Status));
    }

    [Fact]
    public void Read_and_delete_of_an_absent_domain()
    {
        using var dir = new TempDirectory();
        var store = new StatusFileStore(dir.Combine("missing"));
        Assert.Null(store.Read(Guid.NewGuid()));
        Assert.False(store.Delete(Guid.NewGuid()));
        Assert.Empty(store.List());
    }

    [Fact]
    public void Delete_removes_the_file()
    {
        using var dir = new TempDirectory();
        var store = new StatusFileStore(dir.Path);
        var status = Sample(Guid.NewGuid());
        store.Write(status);
        Assert.True(store.Delete(status.Uuid));
        Assert.Null(store.Read(status.Uuid));
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void Invalid_status_is_refused_before_writing()
    {
        using var dir = new TempDirectory();
        var store = new StatusFileStore(dir.Path);
        var e = Assert.Throws<VirtException>(() => store.Write(Sample(Guid.NewGuid()) with { Pid = 0 }));
        Assert.Contains("invalid pid 0", e.Message);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }
}
