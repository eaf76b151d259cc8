using System.Diagnostics;
using Virt.Integration.Tests.Support;
using Virt.Protocol.Api;
using Virt.Protocol.Client;
using Virt.Protocol.Errors;
using Virt.TestSupport;
using Xunit.Abstractions;

namespace Virt.Reliability.Tests;

/// <summary>
/// kill -9 of virtd at random moments while five clients define, start, shut down, destroy and undefine their
/// domains; after each restart the tree must be consistent (see <see cref="TreeInvariants"/>).
/// </summary>
public sealed class DaemonKillChaosTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Clients = 5;
    private readonly TempDirectory _dir = new("vc");
    private DaemonProcess? _daemon;

    private string Root => _dir.Combine("root");

    /// <summary>What each client knows the daemon acknowledged, and what it had in flight at the kill.</summary>
    private sealed class Ledger
    {
        public readonly Dictionary<string, bool> Persistent = [];
        public readonly HashSet<string> Pending = [];
        public volatile bool Killed;

        public void Begin(string name, bool changesPersistence)
        {
            if (changesPersistence)
                lock (this) Pending.Add(name);
        }

        public void Acknowledged(string name, bool? persistent)
        {
            lock (this)
            {
                Pending.Remove(name);
                if (persistent is { } p)
                    Persistent[name] = p;
            }
        }

        public void Failed(string name)
        {
            // An error after the kill may be the lost connection, so the operation stays "maybe done".
            if (!Killed)
                lock (this) Pending.Remove(name);
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Random_kill_9_rounds_leave_no_leaked_vm_and_lose_no_acknowledged_config()
    {
        var seed = ChaosSettings.Seed;
        var random = new Random(seed);
        var rounds = ChaosSettings.Rounds;
        var ledger = new Ledger();
        var clock = Stopwatch.StartNew();
        long operations = 0;
        var orphans = new List<int>();
        _daemon = await DaemonProcess.StartAsync(Root);

        for (var round = 1; round <= rounds; round++)
        {
            ledger.Killed = false;
            var connections = new List<VirtConnection>();
            for (var i = 0; i < Clients; i++)
                connections.Add(await Connect());
            using var stop = new CancellationTokenSource();
            var workers = connections.Select((c, i) => Work(c, $"c{i}", new Random(random.Next()), ledger, stop.Token)).ToList();

            await Task.Delay(random.Next(50, 1500));
            ledger.Killed = true;
            _daemon.KillHard();
            stop.Cancel();
            operations += (await Task.WhenAll(workers)).Sum();
            foreach (var c in connections)
                await c.DisposeAsync();

            _daemon = await DaemonProcess.StartAsync(Root);
            await using var checker = await Connect();
            var problems = await SettleAsync(checker, ledger, orphans);
            Assert.True(problems.Count == 0,
                $"round {round} of {rounds} (seed {seed}):\n{string.Join("\n", problems)}\n--- runtime dir ---\n{RuntimeListing()}\n--- daemon output ---\n{_daemon.Output}");
            var domains = await checker.ListAsync();
            lock (ledger)
            {
                ledger.Pending.Clear();
                foreach (var name in Enumerable.Range(0, Clients).Select(i => $"c{i}"))
                    ledger.Persistent[name] = domains.Any(d => d.Name.Value == name && d.Persistent);
            }
        }
        output.WriteLine($"chaos: {rounds} rounds, {operations} operations acknowledged or refused, 0 leaked VMs, 0 lost configs, {orphans.Count} QEMUs orphaned by a kill inside start, " +
            $"{clock.Elapsed.TotalSeconds:F1} s ({clock.Elapsed.TotalSeconds / rounds:F1} s a round), seed {seed}");
    }

    private string RuntimeListing()
    {
        var dir = Path.Combine(Root, "run", "qemu");
        return Directory.Exists(dir) ? string.Join("\n", Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName)) : "(none)";
    }

    private async Task<VirtConnection> Connect() =>
        await VirtConnection.OpenAsync("qemu:///session",
            new VirtConnectionOptions { SocketPath = _daemon!.SocketPath, CallTimeout = TimeSpan.FromSeconds(30) });

    /// <summary>One client's random walk over its domain's lifecycle until the kill; returns how many calls were answered.</summary>
    private async Task<int> Work(VirtConnection client, string name, Random random, Ledger ledger, CancellationToken stop)
    {
        var vm = DomainRef.ByName(name);
        var answered = 0;
        while (!stop.IsCancellationRequested)
        {
            var op = random.Next(10);
            var changesPersistence = op is 0 or 1 or 9;
            ledger.Begin(name, changesPersistence);
            try
            {
                bool? persistent = op switch
                {
                    0 or 1 => (await client.DefineAsync(TestGuest.Xml(_dir.Path, name), stop)).Persistent,
                    2 or 3 => (await client.StartAsync(vm, ct: stop)).Persistent,
                    4 => (await client.ShutdownAsync(vm, stop)).Persistent,
                    5 or 6 => (await client.DestroyAsync(vm, stop)).Persistent,
                    7 or 8 => (await client.LookupAsync(vm, stop)).Persistent,
                    _ => (await client.UndefineAsync(vm, stop)).Persistent,
                };
                ledger.Acknowledged(name, changesPersistence ? persistent : null);
                answered++;
            }
            catch (VirtException) when (!ledger.Killed)
            {
                ledger.Failed(name);
                answered++;
            }
            catch (Exception) when (ledger.Killed || stop.IsCancellationRequested)
            {
                ledger.Failed(name);
                return answered;
            }
        }
        return answered;
    }

    /// <summary>The new daemon reconnects and reaps asynchronously: the invariants must hold within a bound, not at once.</summary>
    private async Task<List<string>> SettleAsync(VirtConnection client, Ledger ledger, List<int> orphans)
    {
        HashSet<string> mustExist, mustNotExist;
        lock (ledger)
        {
            mustExist = ledger.Persistent.Where(p => p.Value && !ledger.Pending.Contains(p.Key)).Select(p => p.Key).ToHashSet();
            mustNotExist = ledger.Persistent.Where(p => !p.Value && !ledger.Pending.Contains(p.Key)).Select(p => p.Key).ToHashSet();
        }
        var started = DateTime.UtcNow;
        var deadline = started + TimeSpan.FromSeconds(20);
        while (true)
        {
            var interrupted = new List<int>();
            var problems = TreeInvariants.Check(_dir.Path, Root, await client.ListAsync(), mustExist, mustNotExist,
                ChaosSettings.Strict ? null : interrupted);
            // A QEMU the dead daemon was killing may take a moment to go; an orphan without a status file never will.
            var orphansSettled = interrupted.Count == 0 || DateTime.UtcNow > started + TimeSpan.FromSeconds(3);
            if ((problems.Count == 0 && orphansSettled) || DateTime.UtcNow > deadline)
            {
                foreach (var pid in interrupted)
                {
                    output.WriteLine($"orphan of an interrupted start: QEMU {pid} ({TreeInvariants.GuestName(pid)}), no status file; killed by the test");
                    orphans.Add(pid);
                    try { Process.GetProcessById(pid).Kill(); }
                    catch (ArgumentException) { }
                }
                return problems;
            }
            await Task.Delay(100);
        }
    }

    public async Task DisposeAsync()
    {
        if (_daemon is not null)
        {
            _daemon.KillHard();
            await _daemon.DisposeAsync();
        }
        QemuReaper.KillAll(_dir.Path);
        _dir.Dispose();
    }
}
