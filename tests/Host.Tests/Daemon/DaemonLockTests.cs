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
}
