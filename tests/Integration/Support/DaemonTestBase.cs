using Virt.Protocol.Client;
using Virt.TestSupport;

namespace Virt.Integration.Tests.Support;

/// <summary>Each test gets a private tree, a running virtd on it, and cleanup of every process it started.</summary>
public abstract class DaemonTestBase : IAsyncLifetime
{
    protected TempDirectory Dir { get; } = new("vi");
    protected DaemonProcess Daemon { get; set; } = null!;
    private readonly List<VirtConnection> _connections = [];

    public virtual async Task InitializeAsync() => Daemon = await DaemonProcess.StartAsync(Dir.Combine("root"));

    /// <summary>The daemon's main socket as the URI the native `virt` takes.</summary>
    protected string VirtUri => $"qemu:///session?socket={Daemon.SocketPath}";

    /// <summary>The real virsh against the daemon's socket over libvirt's protocol.</summary>
    protected Virsh Virsh => new(Daemon.SocketPath);

    /// <summary>The native `virt` against the daemon, to its end.</summary>
    protected Task<NativeVirt.Result> VirtAsync(params string[] args) => NativeVirt.RunAsync(["-c", VirtUri, .. args]);

    /// <summary>The native `virt`, which must succeed: its standard output.</summary>
    protected async Task<string> VirtOkAsync(params string[] args)
    {
        var result = await VirtAsync(args);
        Assert.True(result.Exit == 0, $"virt {string.Join(' ', args)} exited {result.Exit}: {result.Err}");
        return result.Out;
    }

    /// <summary>Defines the test guest as <paramref name="name"/>, starts it through virsh, and waits for it to be up.</summary>
    protected async Task StartTestGuestAsync(string name)
    {
        await DefineTestGuestAsync(name);
        await Virsh.OkAsync("start", name);
        await TestGuest.WaitReadyAsync(Dir.Path, name);
    }

    protected static async Task WaitForAsync(Func<bool> condition) => await WaitForAsync(() => Task.FromResult(condition()));

    /// <summary>Polls until the condition holds; fails the test after 30 s.</summary>
    protected static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold within 30 s");
            await Task.Delay(50);
        }
    }

    protected async Task<VirtConnection> ConnectAsync(DaemonProcess? daemon = null)
    {
        var connection = await VirtConnection.OpenAsync("qemu:///session",
            new VirtConnectionOptions { SocketPath = (daemon ?? Daemon).SocketPath, CallTimeout = TimeSpan.FromSeconds(60) });
        _connections.Add(connection);
        return connection;
    }

    /// <summary>Defines the test guest (its raw image in the test directory) under <paramref name="name"/>.</summary>
    protected async Task DefineTestGuestAsync(string name)
    {
        var file = Dir.Combine(name + ".xml");
        await File.WriteAllTextAsync(file, TestGuest.Xml(Dir.Path, name));
        await VirtOkAsync("define", file);
    }

    protected async Task RestartDaemonAsync(bool hard)
    {
        if (hard)
            Daemon.KillHard();
        else
            await Daemon.DisposeAsync();
        Daemon = await DaemonProcess.StartAsync(Dir.Combine("root"));
    }

    public virtual async Task DisposeAsync()
    {
        foreach (var connection in _connections)
            await connection.DisposeAsync();
        await Daemon.DisposeAsync();
        QemuReaper.KillAll(Dir.Path);
        Dir.Dispose();
    }
}
