using Virt.Protocol.Errors;
using Virt.Protocol.Storage;
using Virt.Supervisor.Storage;
using Virt.TestSupport;

namespace Virt.Supervisor.Tests.Storage;

public sealed class VolumeFilesTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_raw_volume_is_a_sparse_file_and_a_qcow2_one_is_made_by_qemu_img_and_read_back_by_its_header()
    {
        var raw = await VolumeFiles.CreateAsync(_dir.Path, new VolumeRequest("disk.img", 64UL << 20, "raw"), CancellationToken.None);
        Assert.Equal(("raw", 64UL << 20), (raw.Format, raw.CapacityBytes));
        Assert.True(raw.AllocationBytes < 1UL << 20, $"a raw volume of 64 MiB takes {raw.AllocationBytes} bytes");

        var qcow2 = await VolumeFiles.CreateAsync(_dir.Path, new VolumeRequest("disk.qcow2", 1UL << 30, "qcow2"), CancellationToken.None);
        Assert.Equal(("qcow2", 1UL << 30), (qcow2.Format, qcow2.CapacityBytes));
        Assert.True(new FileInfo(qcow2.Path).Length < 1 << 20);

        Assert.Equal(["disk.img", "disk.qcow2"], VolumeFiles.List(_dir.Path).Select(v => v.Name));
        VolumeFiles.Delete(raw.Path);
        Assert.Equal(["disk.qcow2"], VolumeFiles.List(_dir.Path).Select(v => v.Name));
    }

    [Fact]
    public async Task A_volume_never_overwrites_a_file_of_its_name()
    {
        var taken = _dir.Combine("taken.img");
        await File.WriteAllTextAsync(taken, "keep me");
        var e = await Assert.ThrowsAsync<VirtException>(() => VolumeFiles.CreateAsync(_dir.Path, new VolumeRequest("taken.img", 4096, "raw"), CancellationToken.None));
        Assert.Equal(ErrorCode.OperationFailed, e.Code);
        Assert.Equal("keep me", await File.ReadAllTextAsync(taken));
    }

    [Fact]
    public void Only_visible_regular_files_are_volumes()
    {
        File.WriteAllText(_dir.Combine("a.iso"), "iso");
        File.WriteAllText(_dir.Combine(".hidden"), "no");
        Directory.CreateDirectory(_dir.Combine("sub"));
        Assert.Equal(0, Fifo.Make(_dir.Combine("pipe")));
        File.CreateSymbolicLink(_dir.Combine("zero"), "/dev/zero");
        File.CreateSymbolicLink(_dir.Combine("link.iso"), _dir.Combine("a.iso"));

        Assert.Equal(["a.iso", "link.iso"], VolumeFiles.List(_dir.Path).Select(v => v.Name));
        Assert.Equal(3UL, VolumeFiles.Describe(_dir.Combine("link.iso"))!.CapacityBytes);
        Assert.Null(VolumeFiles.Describe(_dir.Combine("pipe")));
        Assert.Null(VolumeFiles.Describe(_dir.Combine("gone")));
        Assert.Empty(VolumeFiles.List(_dir.Combine("nosuch")));
    }
}
