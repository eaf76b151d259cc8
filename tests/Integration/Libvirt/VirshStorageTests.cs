using Virt.Integration.Tests.Support;

namespace Virt.Integration.Tests.Libvirt;

/// <summary>
/// Directory storage pools and their volumes through Debian's real virsh and the real virtd: what virt-install and
/// virt-manager use to find and make disk images.
/// </summary>
public sealed class VirshStorageTests : DaemonTestBase
{
    private Virsh Client => new(Daemon.SocketPath);

    private Task<string> Ok(params string[] args) => Client.OkAsync(args);

    [Fact]
    public async Task A_pool_is_defined_started_filled_and_emptied_and_its_autostart_outlives_a_daemon_restart()
    {
        var target = Dir.Combine("images");
        Assert.Equal("Pool images defined\n\n", await Ok("pool-define-as", "images", "dir", "--target", target));
        Assert.Equal($" Name     State      Autostart\n{new string('-', 32)}\n images   inactive   no\n\n", await Ok("pool-list", "--all"));
        Assert.Equal("Pool images built\n\n", await Ok("pool-build", "images"));
        Assert.True(Directory.Exists(target));
        Assert.Equal("Pool images started\n\n", await Ok("pool-start", "images"));
        Assert.Equal("Pool images marked as autostarted\n\n", await Ok("pool-autostart", "images"));
        var info = await Ok("pool-info", "images");
        Assert.Contains("State:          running\n", info);
        Assert.Contains("Autostart:      yes\n", info);
        Assert.Contains($"<path>{target}</path>", await Ok("pool-dumpxml", "images"));

        Assert.Equal("Vol a.qcow2 created\n\n", await Ok("vol-create-as", "images", "a.qcow2", "10M", "--format", "qcow2"));
        Assert.Equal("Vol b.img created\n\n", await Ok("vol-create-as", "images", "b.img", "1M"));
        Assert.Equal(
            $" Name      Path\n{new string('-', 1 + 7 + 3 + Path.Combine(target, "a.qcow2").Length + 2)}\n a.qcow2   {target}/a.qcow2\n b.img     {target}/b.img\n\n",
            await Ok("vol-list", "images"));
        var volume = await Ok("vol-info", "a.qcow2", "--pool", "images");
        Assert.Contains("Type:           file\n", volume);
        Assert.Contains("Capacity:       10.00 MiB\n", volume);
        Assert.Contains("<format type='qcow2'/>", await Ok("vol-dumpxml", "--pool", "images", "a.qcow2"));
        Assert.Equal($"{target}/b.img\n\n", await Ok("vol-path", "--pool", "images", "b.img"));
        Assert.Equal("Vol b.img deleted\n\n", await Ok("vol-delete", "b.img", "--pool", "images"));
        Assert.False(File.Exists(Path.Combine(target, "b.img")));

        await RestartDaemonAsync(hard: false);
        Assert.Contains("\n images   active   yes\n", await Ok("pool-list", "--all"));
        Assert.Equal(1, (await Client.RunAsync("pool-undefine", "images")).Exit);
        Assert.Equal("Pool images destroyed\n\n", await Ok("pool-destroy", "images"));
        Assert.Equal("Pool images has been undefined\n\n", await Ok("pool-undefine", "images"));
        Assert.Equal("\n", await Ok("pool-list", "--all", "--name"));
        Assert.True(File.Exists(Path.Combine(target, "a.qcow2")), "undefining a pool leaves its files");
    }

    [Fact]
    public async Task Storage_errors_read_as_libvirts_and_change_nothing()
    {
        var missing = await Client.RunAsync("vol-list", "nosuch");
        Assert.Equal(1, missing.Exit);
        Assert.Equal("error: failed to get pool 'nosuch'\nerror: Storage pool not found: no storage pool with matching name 'nosuch'\n", missing.Err);

        var ours = await Client.RunAsync("pool-define-as", "ours", "dir", "--target", Path.Combine(Daemon.Root, "etc", "qemu"));
        Assert.Equal(1, ours.Exit);
        Assert.Contains("is inside the daemon's own directories", ours.Err);

        var lvm = await Client.RunAsync("pool-define-as", "vg", "logical", "--source-name", "vg0", "--target", "/dev/vg0");
        Assert.Equal(1, lvm.Exit);
        Assert.Contains("error: unsupported configuration: storage pool type 'logical'", lvm.Err);

        var target = Dir.Combine("pool");
        Directory.CreateDirectory(target);
        await File.WriteAllTextAsync(Path.Combine(target, "taken.img"), "keep me");
        await Ok("pool-create-as", "passing", "dir", "--target", target);
        var taken = await Client.RunAsync("vol-create-as", "passing", "taken.img", "1M");
        Assert.Equal(1, taken.Exit);
        Assert.Contains("exists already", taken.Err);
        Assert.Equal("keep me", await File.ReadAllTextAsync(Path.Combine(target, "taken.img")));

        var readOnly = await Client.ReadOnlyAsync("vol-delete", "taken.img", "--pool", "passing");
        Assert.Equal(1, readOnly.Exit);
        Assert.True(File.Exists(Path.Combine(target, "taken.img")));
        Assert.Contains($" taken.img   {target}/taken.img\n", (await Client.ReadOnlyAsync("vol-list", "passing")).Out);

        Assert.Equal("Pool passing destroyed\n\n", await Ok("pool-destroy", "passing"));
        Assert.Equal("\n", await Ok("pool-list", "--all", "--name"));
    }
}
