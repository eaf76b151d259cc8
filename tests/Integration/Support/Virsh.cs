namespace Virt.Integration.Tests.Support;

/// <summary>Debian's real virsh against one daemon socket: a run for its exit status and streams, or one that must succeed.</summary>
public sealed class Virsh(string socketPath)
{
    public string Uri { get; } = $"qemu+unix:///session?socket={socketPath}";

    public Task<ClientProcess.Result> RunAsync(params string[] args) => ClientProcess.RunAsync("virsh", ["-c", Uri, .. args]);

    /// <summary>
    /// `virsh console`, which refuses to run without a terminal: under a pty that python3's pty.spawn relays to this
    /// process's pipes (its stderr comes on the same pty, so on stdout here); the exit status is virsh's.
    /// </summary>
    public InteractiveProcess Console(params string[] args) =>
        InteractiveProcess.Start("/usr/bin/python3", ["-c", PtySpawn, "virsh", "-c", Uri, "console", .. args]);

    private const string PtySpawn = "import os, pty, sys; sys.exit(os.waitstatus_to_exitcode(pty.spawn(sys.argv[1:])))";

    public Task<ClientProcess.Result> ReadOnlyAsync(params string[] args) => ClientProcess.RunAsync("virsh", ["-r", "-c", Uri, .. args]);

    /// <summary>What virsh prints, once it exits 0 with nothing on stderr.</summary>
    public async Task<string> OkAsync(params string[] args)
    {
        var result = await RunAsync(args);
        Assert.True(result.Exit == 0, $"virsh {string.Join(' ', args)}: {result}");
        Assert.Equal("", result.Err);
        return result.Out;
    }
}
