using Virt.Integration.Tests.Support;
using Virt.Protocol.Api;
using Virt.Protocol.Client;
using Virt.Protocol.Errors;
using Virt.Protocol.Events;
using Virt.TestSupport;
using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Integration.Tests.Cluster;

/// <summary>Three virtd nodes as one cluster: names unique across it, every node's domains seen and driven from any node.</summary>
public sealed class ClusterTests(Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir = new("vcl");
    private ClusterNodes _cluster = null!;

    public async Task InitializeAsync() => _cluster = await ClusterNodes.StartAsync(_dir);

    public async Task DisposeAsync()
    {
        output.WriteLine(_cluster.Outputs());
        await _cluster.DisposeAsync();
        _dir.Dispose();
    }

    /// <summary>Defines on <paramref name="node"/> once the cluster's name directory answers (right after start it may not be up yet).</summary>
    private async Task<DomainSummary> DefineWhenJoinedAsync(VirtConnection connection, string xml)
    {
        DomainSummary? defined = null;
        await ClusterNodes.EventuallyAsync(async () =>
        {
            try
            {
                defined = await connection.DefineAsync(xml);
                return (true, "defined");
            }
            catch (VirtException e) when (e.Code == ErrorCode.OperationFailed && e.Message.Contains("cannot prove", StringComparison.Ordinal))
            {
                return (false, e.Message);
            }
        }, Settle);
        return defined!;
    }

    /// <summary>
    /// Waits until a subscriber elsewhere hears <paramref name="node"/>'s events: the cluster's event topic learns a
    /// new subscriber by gossip, so right after the nodes joined a few events may not reach it yet.
    /// </summary>
    private async Task HearsOtherNodesAsync(VirtConnection node, IAsyncEnumerator<DomainLifecycleEvent> events, string prefix = "echo-")
    {
        var next = events.MoveNextAsync().AsTask(); // one read in flight at a time, kept across attempts
        for (var attempt = 0; attempt < 60; attempt++)
        {
            await node.DefineAsync(TestGuest.Xml(_dir.Path, $"{prefix}{attempt}"));
            while (await Task.WhenAny(next, Task.Delay(1000)) == next)
            {
                Assert.True(await next, "the event stream ended");
                if (events.Current.Name.Value.StartsWith(prefix, StringComparison.Ordinal))
                    return;
                next = events.MoveNextAsync().AsTask();
            }
        }
        Assert.Fail("no event of another node reached the subscriber within 60 attempts");
    }

    /// <summary>Every node up in every node's view: a domain defined on each is listed with its host from each.</summary>
    private async Task AllNodesUpAsync()
    {
        foreach (var node in ClusterNodes.Names)
            await DefineWhenJoinedAsync(await _cluster.ConnectAsync(node), TestGuest.Xml(_dir.Path, "here-" + node));
        foreach (var node in ClusterNodes.Names)
            await ClusterNodes.EventuallyAsync(() => ListShowsAsync(_cluster.Cli(node),
                [.. ClusterNodes.Names.Select(n => $"- here-{n} shut off {n}")]), Settle);
    }

    private static async Task<(bool, string)> ListShowsAsync(VirtCli cli, params string[] lines)
    {
        var result = await cli.RunAsync(["list", "--all", "--hosts"]);
        var rows = result.Out.Split('\n').Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))).ToList();
        return (result.Exit == 0 && lines.All(rows.Contains), result.ToString());
    }

    [Fact]
    public async Task A_name_defined_on_one_node_is_listed_everywhere_refused_elsewhere_and_driven_from_any_node()
    {
        var a = await _cluster.ConnectAsync("a");
        var guest = TestGuest.Xml(_dir.Path, "web");
        var defined = await DefineWhenJoinedAsync(a, guest);

        // Listed from every node with its host; a node's own list stays its own.
        foreach (var node in ClusterNodes.Names)
            await ClusterNodes.EventuallyAsync(() => ListShowsAsync(_cluster.Cli(node), "- web shut off a"), Settle);
        var b = await _cluster.ConnectAsync("b");
        Assert.Empty(await b.ListAsync());

        // The same name, or the same UUID under another name, is refused on another node, naming the holder.
        var c = await _cluster.ConnectAsync("c");
        var sameName = await Assert.ThrowsAsync<VirtException>(() => c.DefineAsync(TestGuest.Xml(_dir.Path, "web")));
        Assert.Equal(ErrorCode.DomainExists, sameName.Code);
        Assert.Contains("domain 'web' already exists on node a", sameName.Message, StringComparison.Ordinal);
        var sameUuid = await Assert.ThrowsAsync<VirtException>(() => c.DefineAsync(TestGuest.Xml(_dir.Path, "other", defined.Uuid.Value)));
        Assert.Equal(ErrorCode.DomainExists, sameUuid.Code);
        Assert.Contains($"already exists on node a with uuid {defined.Uuid}", sameUuid.Message, StringComparison.Ordinal);
        var onlyC = await _cluster.Cli("c").RunAsync(["list", "--all", "--host", "c"]);
        Assert.DoesNotContain("web", onlyC.Out, StringComparison.Ordinal);

        // Commands on the domain from another node go to its node: the guest boots on a, started and destroyed from b and
        // c; a client of c hears its events, naming the node.
        var events = (await c.SubscribeEventsAsync()).GetAsyncEnumerator();
        await HearsOtherNodesAsync(a, events);
        var started = await b.StartAsync(DomainRef.ByName("web"));
        Assert.Equal(DomainState.Running, started.State);
        Assert.Equal(DomainState.Running, (await a.LookupAsync(DomainRef.ByName("web"))).State);
        var info = await c.GetInfoAsync(DomainRef.ByUuid(defined.Uuid));
        Assert.Equal(DomainState.Running, info.Domain.State);
        await ClusterNodes.EventuallyAsync(() => ListShowsAsync(_cluster.Cli("c"), $"{started.Id} web running a"), Settle);
        Assert.Equal(DomainState.Shutoff, (await c.DestroyAsync(DomainRef.ByName("web"))).State);
        Assert.Equal(DomainState.Shutoff, (await a.LookupAsync(DomainRef.ByName("web"))).State);
        var heard = new List<string>();
        while (!heard.Contains("Stopped Destroyed") && await events.MoveNextAsync().AsTask().WaitAsync(Settle))
        {
            if (events.Current.Name.Value != "web")
                continue; // a late echo of the probes
            Assert.Equal("a", events.Current.Host);
            heard.Add(events.Current.Display);
        }
        Assert.Equal(["Resumed Unpaused", "Started Booted", "Shutdown Finished after host request", "Stopped Destroyed"], heard);

        // Undefined from another node, the name is free again for any node.
        await c.UndefineAsync(DomainRef.ByName("web"));
        await DefineWhenFreeAsync(c, TestGuest.Xml(_dir.Path, "web"));
        await ClusterNodes.EventuallyAsync(() => ListShowsAsync(_cluster.Cli("a"), "- web shut off c"), Settle);
    }

    [Fact]
    public async Task A_new_domain_goes_to_the_node_named_or_to_one_that_can_run_it_and_the_answer_says_where()
    {
        var a = await _cluster.ConnectAsync("a");
        await AllNodesUpAsync();

        var named = _dir.Combine("named.xml");
        await File.WriteAllTextAsync(named, TestGuest.Xml(_dir.Path, "named"));
        Assert.StartsWith($"Domain 'named' defined on node c from {named}\n", await _cluster.Cli("a").OkAsync("define", named, "--host", "c"), StringComparison.Ordinal);
        await ClusterNodes.EventuallyAsync(() => ListShowsAsync(_cluster.Cli("b"), "- named shut off c"), Settle);

        var placed = await a.CallAsync<DomainSummary>(new DefineDomain(TestGuest.Xml(_dir.Path, "placed"), "auto"));
        Assert.Contains(placed.Host, ClusterNodes.Names);
        await ClusterNodes.EventuallyAsync(() => ListShowsAsync(_cluster.Cli("c"), $"- placed shut off {placed.Host}"), Settle);

        // A domain no node can run is refused with each node's reason; nothing is defined anywhere.
        var unrunnable = TestGuest.Xml(_dir.Path, "unrunnable").Replace("machine='pc'", "machine='pc-i440fx-0.1'", StringComparison.Ordinal);
        var refused = await Assert.ThrowsAsync<VirtException>(() => a.CallAsync<DomainSummary>(new DefineDomain(unrunnable, "auto")));
        Assert.Equal(ErrorCode.OperationFailed, refused.Code);
        foreach (var node in ClusterNodes.Names)
            Assert.Contains($"node {node}: its emulator", refused.Message, StringComparison.Ordinal);
        Assert.Contains("has no machine type 'pc-i440fx-0.1'", refused.Message, StringComparison.Ordinal);
        var nowhere = await Assert.ThrowsAsync<VirtException>(() => a.CallAsync<DomainSummary>(new DefineDomain(TestGuest.Xml(_dir.Path, "x"), "zz")));
        Assert.Equal(ErrorCode.InvalidArg, nowhere.Code);
        Assert.DoesNotContain("unrunnable", (await _cluster.Cli("b").OkAsync("list", "--all", "--hosts")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_shut_off_domain_moves_to_another_node_offline_and_runs_there()
    {
        var a = await _cluster.ConnectAsync("a");
        await AllNodesUpAsync();
        var defined = await DefineWhenJoinedAsync(a, TestGuest.Xml(_dir.Path, "mover"));

        // Asked on c, led by a (the domain's node), defined on b with the same UUID, gone from a.
        var cli = _cluster.Cli("c");
        Assert.Equal("\n", await cli.OkAsync("migrate", "mover", "b", "--offline", "--persistent"));
        Assert.DoesNotContain(await a.ListAsync(), d => d.Name.Value == "mover");
        var b = await _cluster.ConnectAsync("b");
        Assert.Equal(defined.Uuid, (await b.LookupAsync(DomainRef.ByName("mover"))).Uuid);
        await ClusterNodes.EventuallyAsync(() => ListShowsAsync(_cluster.Cli("a"), "- mover shut off b"), Settle);
        var started = await a.StartAsync(DomainRef.ByName("mover")); // forwarded to b, where it now lives
        Assert.Equal(DomainState.Running, (await b.LookupAsync(DomainRef.ByName("mover"))).State);

        // What is not built (live moves) or not allowed says so, and nothing moves.
        var running = await cli.RunAsync(["migrate", "mover", "c", "--offline", "--persistent"]);
        Assert.Equal(1, running.Exit);
        Assert.Contains("domain is running", running.Err, StringComparison.Ordinal);
        var both = await cli.RunAsync(["migrate", "mover", "c", "--live", "--offline", "--persistent"]);
        Assert.Contains("--live and --offline are mutually exclusive", both.Err, StringComparison.Ordinal);
        var notPersistent = await cli.RunAsync(["migrate", "here-a", "b", "--offline"]);
        Assert.Contains("offline migration requires --persistent", notPersistent.Err, StringComparison.Ordinal);
        Assert.Equal(DomainState.Running, (await b.LookupAsync(DomainRef.ByName("mover"))).State);
        Assert.Equal(started.Id, (await b.LookupAsync(DomainRef.ByName("mover"))).Id);
        await b.DestroyAsync(DomainRef.ByName("mover"));
    }

    [Fact]
    public async Task A_running_guest_moves_live_to_another_node_with_libvirts_events_and_nothing_left_behind()
    {
        var a = await _cluster.ConnectAsync("a");
        await AllNodesUpAsync();
        var defined = await DefineWhenJoinedAsync(a, TestGuest.Xml(_dir.Path, "traveller"));
        var source = await a.StartAsync(DomainRef.ByName("traveller"));
        var sourcePid = QemuPidOf(_cluster["a"], source.Id!.Value);
        Assert.True(sourcePid > 0, "the source QEMU's status file names its pid");
        var c = await _cluster.ConnectAsync("c");
        var events = (await c.SubscribeEventsAsync()).GetAsyncEnumerator();
        await HearsOtherNodesAsync(a, events); // both sides' events must reach c
        await HearsOtherNodesAsync(await _cluster.ConnectAsync("b"), events, "b-echo-");

        // Asked on c, led by a: the guest runs on b, a's QEMU and config are gone, the name is b's.
        Assert.Equal("\n", await _cluster.Cli("c").OkAsync("migrate", "traveller", "b", "--live", "--persistent"));
        var b = await _cluster.ConnectAsync("b");
        var moved = await b.LookupAsync(DomainRef.ByName("traveller"));
        Assert.Equal((DomainState.Running, (int)RunningReason.Migrated, true, defined.Uuid), (moved.State, moved.Reason, moved.Persistent, moved.Uuid));
        Assert.DoesNotContain(await a.ListAsync(), d => d.Name.Value == "traveller");
        await ClusterNodes.EventuallyAsync(() => ListShowsAsync(_cluster.Cli("a"), $"{moved.Id} traveller running b"), Settle);

        // libvirt's events on both sides: the source suspended then stopped (migrated), the destination started then resumed.
        var heard = new List<(string? Host, string Event)>();
        while (!(heard.Contains(("a", "Stopped Migrated")) && heard.Contains(("b", "Resumed Migrated")))
            && await events.MoveNextAsync().AsTask().WaitAsync(Settle))
            if (events.Current.Name.Value == "traveller")
                heard.Add((events.Current.Host, events.Current.Display));
        Assert.Equal(["Suspended Migrated", "Stopped Migrated"], heard.Where(e => e.Host == "a").Select(e => e.Event));
        Assert.Equal(["Started Migrated", "Resumed Migrated"], heard.Where(e => e.Host == "b").Select(e => e.Event).Take(2));
        Assert.Throws<ArgumentException>(() => System.Diagnostics.Process.GetProcessById(sourcePid));

        // It runs on: a command from a reaches it on b, and it goes back to a the same way.
        Assert.Equal(DomainState.Paused, (await a.SuspendAsync(DomainRef.ByName("traveller"))).State);
        await a.ResumeAsync(DomainRef.ByName("traveller"));
        Assert.Equal("\n", await _cluster.Cli("b").OkAsync("migrate", "traveller", "a", "--persistent"));
        Assert.Equal(DomainState.Running, (await a.LookupAsync(DomainRef.ByName("traveller"))).State);
        await a.DestroyAsync(DomainRef.ByName("traveller"));
        // The node it came back to finds it even while its replica of the names still says b (the bench found this).
        await a.UndefineAsync(DomainRef.ByName("traveller"));
    }

    [Fact]
    public async Task A_migration_aborted_halfway_leaves_the_guest_running_on_the_source_and_nothing_on_the_destination()
    {
        var a = await _cluster.ConnectAsync("a");
        await AllNodesUpAsync();
        await DefineWhenJoinedAsync(a, TestGuest.Xml(_dir.Path, "stayer"));
        var running = await a.StartAsync(DomainRef.ByName("stayer"));
        // A trickle: the stream takes minutes, so the abort finds it under way.
        await _cluster.Cli("a").OkAsync("qemu-monitor-command", "stayer", """{"execute":"migrate-set-parameters","arguments":{"max-bandwidth":4096}}""");
        // --timeout 1: still running after a second, the guest is suspended so the stream can converge.
        var migrate = _cluster.Cli("c").RunAsync(["migrate", "stayer", "b", "--live", "--persistent", "--timeout", "1", "--verbose"]);
        await ClusterNodes.EventuallyAsync(async () =>
        {
            var info = await _cluster.Cli("a").RunAsync(["domjobinfo", "stayer"]);
            return (info.Out.Contains("Outgoing migration", StringComparison.Ordinal), info.ToString());
        }, Settle);
        await ClusterNodes.EventuallyAsync(async () =>
        {
            var state = await _cluster.Cli("a").RunAsync(["domstate", "stayer", "--reason"]);
            return (state.Out.StartsWith("paused (migrating)", StringComparison.Ordinal), state.ToString());
        }, Settle);
        await _cluster.Cli("a").OkAsync("domjobabort", "stayer");
        var failed = await migrate;
        Assert.Equal(1, failed.Exit);
        Assert.Contains("migration out job: canceled by client", failed.Err, StringComparison.Ordinal);
        Assert.Contains("Migration: [", failed.Err, StringComparison.Ordinal); // --verbose's progress

        var after = await a.LookupAsync(DomainRef.ByName("stayer"));
        Assert.Equal((DomainState.Running, (int)RunningReason.MigrationCanceled, running.Id), (after.State, after.Reason, after.Id));
        var b = await _cluster.ConnectAsync("b");
        await ClusterNodes.EventuallyAsync(async () => (!(await b.ListAsync()).Any(d => d.Name.Value == "stayer"), "stayer still on b"), Settle);
        await ClusterNodes.EventuallyAsync(() => ListShowsAsync(_cluster.Cli("c"), $"{running.Id} stayer running a"), Settle);
        Assert.Empty(QemusOf(_cluster["b"]));
        await a.DestroyAsync(DomainRef.ByName("stayer"));
    }

    [Fact]
    public async Task A_destination_killed_halfway_leaves_the_guest_on_the_source_and_its_restart_ends_what_it_received()
    {
        var a = await _cluster.ConnectAsync("a");
        await AllNodesUpAsync();
        await DefineWhenJoinedAsync(a, TestGuest.Xml(_dir.Path, "survivor"));
        var running = await a.StartAsync(DomainRef.ByName("survivor"));
        await _cluster.Cli("a").OkAsync("qemu-monitor-command", "survivor", """{"execute":"migrate-set-parameters","arguments":{"max-bandwidth":4096}}""");
        var migrate = _cluster.Cli("c").RunAsync(["migrate", "survivor", "b", "--live", "--persistent"]);
        var incoming = 0;
        await ClusterNodes.EventuallyAsync(() =>
        {
            incoming = QemusOf(_cluster["b"]).Values.FirstOrDefault();
            return Task.FromResult((incoming > 0, "no incoming QEMU on b yet"));
        }, Settle);

        await ClusterNodes.EventuallyAsync(async () =>
        {
            var info = await _cluster.Cli("a").RunAsync(["domjobinfo", "survivor"]);
            return (info.Out.Contains("Outgoing migration", StringComparison.Ordinal), info.ToString());
        }, Settle);

        // kill -9 of the destination's daemon while its QEMU receives; the source gives up the migration.
        _cluster["b"].KillHard();
        await _cluster.Cli("a").OkAsync("domjobabort", "survivor");
        Assert.Equal(1, (await migrate).Exit);
        var after = await a.LookupAsync(DomainRef.ByName("survivor"));
        Assert.Equal((DomainState.Running, running.Id), (after.State, after.Id));

        // Restarted, the destination ends the QEMU it was filling (owned by the migration until the guest ran there).
        await _cluster.StartNodeAsync("b");
        await ClusterNodes.EventuallyAsync(() => Task.FromResult((!ProcessRuns(incoming), $"QEMU {incoming} still runs")), Settle);
        var b = await _cluster.ConnectAsync("b");
        Assert.DoesNotContain(await b.ListAsync(ListDomainsFlags.All), d => d.Name.Value == "survivor");
        await ClusterNodes.EventuallyAsync(() => ListShowsAsync(_cluster.Cli("c"), $"{running.Id} survivor running a"), Settle);
        await a.DestroyAsync(DomainRef.ByName("survivor"));
    }

    private static bool ProcessRuns(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is ArgumentException or IOException)
        {
            return false;
        }
    }

    /// <summary>The pid in a node's status file of its running domain <paramref name="id"/>.</summary>
    private static int QemuPidOf(DaemonProcess node, int id) =>
        QemusOf(node).TryGetValue(id, out var pid) ? pid : -1;

    /// <summary>The QEMUs a node's runtime directory records (its status files), by domain id.</summary>
    private static Dictionary<int, int> QemusOf(DaemonProcess node)
    {
        var found = new Dictionary<int, int>();
        var dir = Path.Combine(node.Root, "run", "qemu");
        if (!Directory.Exists(dir))
            return found;
        foreach (var file in Directory.GetFiles(dir, "*.status.json"))
            if (System.Text.Json.JsonDocument.Parse(File.ReadAllText(file)).RootElement is var root
                && root.TryGetProperty("pid", out var pid) && root.TryGetProperty("domainId", out var id) && id.ValueKind == System.Text.Json.JsonValueKind.Number)
                found[id.GetInt32()] = pid.GetInt32();
        return found;
    }

    /// <summary>A name given back is free once the directory has heard of it (the holder's next sync at the latest).</summary>
    private static async Task DefineWhenFreeAsync(VirtConnection connection, string xml) =>
        await ClusterNodes.EventuallyAsync(async () =>
        {
            try
            {
                await connection.DefineAsync(xml);
                return (true, "defined");
            }
            catch (VirtException e) when (e.Code == ErrorCode.DomainExists)
            {
                return (false, e.Message);
            }
        }, Settle);

    [Fact]
    public async Task A_lost_node_shows_its_domains_unknown_keeps_its_names_and_comes_back_as_it_was()
    {
        var a = await _cluster.ConnectAsync("a");
        await DefineWhenJoinedAsync(a, TestGuest.Xml(_dir.Path, "db"));
        var running = await a.StartAsync(DomainRef.ByName("db"));
        // Every node up and answering lists: a domain of each is seen from each (a node still joining counts for no side).
        var b = await _cluster.ConnectAsync("b");
        var c = await _cluster.ConnectAsync("c");
        await DefineWhenJoinedAsync(b, TestGuest.Xml(_dir.Path, "spare-b"));
        await DefineWhenJoinedAsync(c, TestGuest.Xml(_dir.Path, "spare-c"));
        foreach (var node in ClusterNodes.Names)
            await ClusterNodes.EventuallyAsync(() => ListShowsAsync(_cluster.Cli(node),
                $"{running.Id} db running a", "- spare-b shut off b", "- spare-c shut off c"), Settle);

        // kill -9 of the node (the oldest: the name directory's home). Its QEMU runs on; the others cannot know its state.
        _cluster["a"].KillHard();
        await ClusterNodes.EventuallyAsync(() => ListShowsAsync(_cluster.Cli("b"), "- db unknown a", "- spare-c shut off c"), Settle);
        var unreachable = await Assert.ThrowsAsync<VirtException>(() => b.GetInfoAsync(DomainRef.ByName("db")));
        Assert.Contains("node a, which cannot be reached", unreachable.Message, StringComparison.Ordinal);

        // Once the split-brain resolver has downed it, the directory lives on b or c and still holds a's names.
        await ClusterNodes.EventuallyAsync(async () =>
        {
            try
            {
                await c.DefineAsync(TestGuest.Xml(_dir.Path, "db"));
                return (false, "defined: the name was handed out");
            }
            catch (VirtException e)
            {
                return (e.Code == ErrorCode.DomainExists && e.Message.Contains("on node a", StringComparison.Ordinal), e.Message);
            }
        }, Settle);
        Assert.Equal(["spare-c"], (await c.ListAsync()).Select(d => d.Name.Value));

        // Back on the same tree and port, it rejoins and reconnects its QEMU: running, as it was.
        await _cluster.StartNodeAsync("a");
        foreach (var node in new[] { "b", "c" })
            await ClusterNodes.EventuallyAsync(() => ListShowsAsync(_cluster.Cli(node), $"{running.Id} db running a"), Settle);
        Assert.Equal(DomainState.Shutoff, (await b.DestroyAsync(DomainRef.ByName("db"))).State);
    }
}
