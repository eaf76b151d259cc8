using Virt.Integration.Tests.Remote;
using Virt.Integration.Tests.Support;
using Virt.Protocol.Client;
using Virt.TestSupport;

namespace Virt.Integration.Tests.Cluster;

/// <summary>
/// Three real virtd nodes of one cluster on loopback, each with its own tree, port and certificate (every node pins all
/// three). Started in order a, b, c, all three seeds; every node is ended by its pid on dispose.
/// </summary>
public sealed class ClusterNodes : IAsyncDisposable
{
    public static readonly string[] Names = ["a", "b", "c"];

    private readonly TempDirectory _dir;
    private readonly Dictionary<string, DaemonProcess> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _configs = new(StringComparer.Ordinal);
    private readonly List<VirtConnection> _connections = [];

    private ClusterNodes(TempDirectory dir) => _dir = dir;

    public string Scratch => _dir.Path;

    public DaemonProcess this[string node] => _nodes[node];

    public static async Task<ClusterNodes> StartAsync(TempDirectory dir)
    {
        var cluster = new ClusterNodes(dir);
        var certificates = Names.ToDictionary(n => n, n => TestCertificates.Create(dir.Path, "node-" + n));
        var ports = Names.ToDictionary(n => n, _ => RemoteSetup.FreePort());
        var seeds = string.Join(", ", Names.Select(n => $"\"127.0.0.1:{ports[n]}\""));
        var trusted = string.Join(", ", certificates.Values.Select(c => $"\"{c.Thumbprint}\""));
        foreach (var name in Names)
        {
            var config = dir.Combine($"node-{name}.hocon");
            File.WriteAllText(config, $$"""
                virt.remote { tls = on, certificate = "{{certificates[name].Path}}", trusted-thumbprints = [{{trusted}}] }
                virt.cluster {
                  enabled = on
                  node-name = {{name}}
                  hostname = "127.0.0.1"
                  port = {{ports[name]}}
                  seed-nodes = [{{seeds}}]
                  stable-after = 2s
                }
                """);
            cluster._configs[name] = config;
        }
        try
        {
            foreach (var name in Names)
                await cluster.StartNodeAsync(name);
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
        return cluster;
    }

    /// <summary>Starts (or restarts, on the same tree and port) one node and waits until its socket answers.</summary>
    public async Task StartNodeAsync(string name)
    {
        if (_nodes.Remove(name, out var old))
            await old.DisposeAsync();
        _nodes[name] = await DaemonProcess.StartAsync(_dir.Combine("node-" + name), "--config", _configs[name]);
    }

    public VirtCli Cli(string node) => new(_nodes[node].SocketPath, _dir.Path);

    public async Task<VirtConnection> ConnectAsync(string node)
    {
        var connection = await VirtConnection.OpenAsync("qemu:///session",
            new VirtConnectionOptions { SocketPath = _nodes[node].SocketPath, CallTimeout = TimeSpan.FromSeconds(60) });
        _connections.Add(connection);
        return connection;
    }

    /// <summary>Polls until <paramref name="condition"/> holds; the last failure's text is in the assertion.</summary>
    public static async Task EventuallyAsync(Func<Task<(bool Done, string Seen)>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var seen = "";
        while (DateTime.UtcNow < deadline)
        {
            (var done, seen) = await condition();
            if (done)
                return;
            await Task.Delay(250);
        }
        Assert.Fail($"not within {timeout.TotalSeconds} s; last seen: {seen}");
    }

    /// <summary>Each node's console output, for a failing test's report.</summary>
    public string Outputs() => string.Join("\n", _nodes.Select(n => $"===== node {n.Key} (pid {n.Value.Pid}, exited {n.Value.HasExited})\n{n.Value.Output}"));

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _connections)
            await connection.DisposeAsync();
        foreach (var node in _nodes.Values)
            await node.DisposeAsync();
        QemuReaper.KillAll(_dir.Path);
    }
}
