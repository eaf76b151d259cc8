using Virt.Host.Daemon;
using Virt.Protocol.Errors;
using Virt.TestSupport;

namespace Virt.Host.Tests.Daemon;

public class DaemonLockTests
{
    [Fact]
    public void A_second_daemon_on_the_same_tree_is_refused_with_the_holder()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("virtd.lock");
        using (DaemonLock.Acquire(path))
        {
            var e = Assert.Throws<VirtException>(() => DaemonLock.Acquire(path));
            Assert.Contains($"another virtd already serves this tree (lock {path} is held by pid {Environment.ProcessId})", e.Message);
        }
        using var again = DaemonLock.Acquire(path);
    }

    [Fact]
    public void Private_directories_are_created_owner_only_and_open_ones_refused()
    {
        using var dir = new TempDirectory();
        var created = dir.Combine("a", "b");
        PrivateDirectories.Ensure(created);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(created));

        var open = dir.Combine("open");
        Directory.CreateDirectory(open);
        File.SetUnixFileMode(open, (UnixFileMode)Convert.ToInt32("755", 8));
        var e = Assert.Throws<VirtException>(() => PrivateDirectories.Ensure(open));
        Assert.Contains("mode 755", e.Message);
        Assert.Contains("chmod 700", e.Message);
    }
}
