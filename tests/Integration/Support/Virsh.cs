namespace Virt.Integration.Tests.Support;

/// <summary>Debian's real virsh against one daemon socket: a run for its exit status and streams, or one that must succeed.</summary>
public sealed class Virsh(string socketPath)
{
    public string Uri { get; } = $"qemu+unix:///session?socket={socketPath}";

    public Task<ClientProcess.Result> RunAsync(params string[] args) => ClientProcess.RunAsync("virsh", ["-c", Uri, .. args]);

    /// <summary>`virsh console`, which refuses to run without a terminal: under one; its errors come on stdout.</summary>
    public InteractiveProcess Console(params string[] args) => InteractiveProcess.StartUnderTerminal("virsh", ["-c", Uri, "console", .. args]);

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
