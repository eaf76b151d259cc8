using System.Diagnostics;
using System.Runtime.InteropServices;
using Serilog.Events;
using Akka.Actor;
using Virt.Actors.Registry;
using Virt.Protocol.Api;
using Virt.Protocol.Client;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.Protocol.Events;
using Virt.Supervisor.Paths;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Host.Embedded;

/// <summary>
/// `virt run FILE` (libvirt's virt-qemu-run): the whole runtime in this process on a private tree, one VM
/// started, waited for until it shuts down. The VM never outlives the run: SIGINT, SIGTERM, SIGHUP and SIGQUIT
/// destroy it and wait until QEMU is reaped, and QEMU gets SIGKILL from the kernel if this process dies any other way.
/// With <c>leaveRunning</c> the VM outlives the run instead, and a run on the same root reconnects to it.
/// </summary>
public sealed class EmbeddedRun(TextWriter output, TextWriter error, bool verbose, bool leaveRunning = false)
{
    /// <summary>How long a destroyed VM may take to be reported gone before the run gives up waiting.</summary>
    private static readonly TimeSpan StopWait = TimeSpan.FromMinutes(1);

    public async Task<int> RunAsync(string xmlFile, string? root, CancellationToken ct = default)
    {
        // Before anything else, so no signal between here and the start can end the process with the VM left behind.
        using var signals = new RunSignals();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct, signals.Received);
        if (leaveRunning && root is null)
        {
            await error.WriteLineAsync("error: --leave-running needs --root: a temporary root is removed when the run ends").ConfigureAwait(false);
            return 1;
        }
        DomainDefinition definition;
        string xml;
        try
        {
            xml = await DomainXmlFile.ReadAsync(xmlFile, ct).ConfigureAwait(false);
            definition = DomainXml.Parse(xml);
        }
        catch (Exception e) when (e is VirtException or IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"error: {xmlFile}: {e.Message}").ConfigureAwait(false);
            return 1;
        }

        var temporaryRoot = root is null;
        root = root is null ? Directory.CreateTempSubdirectory("virt-run-").FullName : Path.GetFullPath(root);
        try
        {
            return await RunInRootAsync(xml, definition, VirtPaths.Embed(root), stop.Token).ConfigureAwait(false);
        }
        catch (VirtException e)
        {
            await error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return 1;
        }
        finally
        {
            if (temporaryRoot)
                TryDelete(root);
        }
    }

    private async Task<int> RunInRootAsync(string xml, DomainDefinition definition, VirtPaths paths, CancellationToken stop)
    {
        paths.EnsureSocketPathsFit();
        var clock = Stopwatch.StartNew();
        await using var transport = await EmbeddedTransport.StartAsync(paths, verbose ? LogEventLevel.Information : LogEventLevel.Warning,
            CancellationToken.None, qemuDiesWithRuntime: !leaveRunning).ConfigureAwait(false);
        Phase("runtime", clock);
        // By name: a document without a <uuid> gets a fresh one at each parse, and names are unique in the runtime too.
        var domain = DomainRef.ByName(definition.Name);
        // A QEMU left by a run that died is adopted or buried first, so the lookup below sees what is really there, and
        // the subscription after it hears nothing of that older QEMU.
        await transport.Runtime.Domains.Ask<DomainRegistryActor.ReconnectsSettled>(DomainRegistryActor.WaitForReconnects.Instance,
            TimeSpan.FromMinutes(2)).ConfigureAwait(false);
        var events = await SubscribeAsync(transport, definition.Name, CancellationToken.None).ConfigureAwait(false);
        // The start itself is never abandoned half-way: a signal during it is handled once it has answered.
        var existing = await transport.CallAsync(new DomainCommands.LookupDomain(domain), TimeSpan.FromSeconds(30), CancellationToken.None).ConfigureAwait(false);
        if (existing is DomainSummary { Active: true } running)
        {
            await Say($"Domain '{running.Name}' is already running (id {running.Id}): reconnected").ConfigureAwait(false);
        }
        else
        {
            await WarmUpAsync(transport, definition, clock).ConfigureAwait(false);
            var created = await transport.CallAsync(new DomainCommands.CreateDomain(xml), TimeSpan.FromMinutes(2), CancellationToken.None).ConfigureAwait(false);
            if (created is ErrorReply failed)
                throw new VirtException(failed.Code, failed.Message);
            Phase("spawn + QMP ready + running", clock);
            await Say($"Domain '{definition.Name}' started").ConfigureAwait(false);
        }

        // A signal races the next event; the event stream itself is never cancelled, so nothing is lost.
        var stopRequested = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var onStop = stop.Register(() => stopRequested.TrySetResult());
        // Not disposed: an async iterator cannot be disposed while a MoveNext is pending; closing the
        // transport ends it instead.
        var next = events.GetAsyncEnumerator(CancellationToken.None);
        var moved = next.MoveNextAsync().AsTask();
        while (true)
        {
            if (await Task.WhenAny(moved, stopRequested.Task).ConfigureAwait(false) == stopRequested.Task)
                return await StopAsync(transport, domain, definition.Name, next, moved).ConfigureAwait(false);
            if (!await moved.ConfigureAwait(false))
                return 1;
            var e = next.Current;
            if (verbose)
                await output.WriteLineAsync($"{e} (+{clock.ElapsedMilliseconds} ms)").ConfigureAwait(false);
            if (e.Type == DomainEventType.Stopped)
            {
                await Say($"Domain '{definition.Name}' stopped: {e.Display}").ConfigureAwait(false);
                return e.Detail == (int)StoppedDetail.Shutdown || e.Detail == (int)StoppedDetail.Destroyed ? 0 : 1;
            }
            moved = next.MoveNextAsync().AsTask();
        }
    }

    /// <summary>After a signal: destroy the VM and wait for its Stopped event, which comes once QEMU is reaped.</summary>
    private async Task<int> StopAsync(EmbeddedTransport transport, DomainRef domain, string name,
        IAsyncEnumerator<DomainLifecycleEvent> events, Task<bool> moved)
    {
        if (leaveRunning)
        {
            await Say($"Signal received: leaving domain '{name}' running (virt run on the same root reconnects)").ConfigureAwait(false);
            return 0;
        }
        await Say($"Signal received: destroying domain '{name}'").ConfigureAwait(false);
        var reply = await transport.CallAsync(new DomainCommands.DestroyDomain(domain), StopWait, CancellationToken.None).ConfigureAwait(false);
        if (reply is ErrorReply { Code: not ErrorCode.OperationInvalid } failed)
        {
            await error.WriteLineAsync($"error: cannot destroy domain '{name}': {failed.Message}").ConfigureAwait(false);
            return 1;
        }
        var deadline = Task.Delay(StopWait);
        while (await Task.WhenAny(moved, deadline).ConfigureAwait(false) == moved && await moved.ConfigureAwait(false))
        {
            if (events.Current.Type == DomainEventType.Stopped)
            {
                await Say($"Domain '{name}' stopped: {events.Current.Display}").ConfigureAwait(false);
                return 0;
            }
            moved = events.MoveNextAsync().AsTask();
        }
        // No event (the domain had stopped already, or the stream ended): the domain's own state has the last word.
        var state = await transport.CallAsync(new DomainCommands.LookupDomain(domain), TimeSpan.FromSeconds(30), CancellationToken.None).ConfigureAwait(false);
        if (state is DomainSummary { Active: true })
        {
            await error.WriteLineAsync($"error: domain '{name}' is still running {StopWait.TotalSeconds:0} s after destroy").ConfigureAwait(false);
            return 1;
        }
        return 0;
    }

    private static async Task<IAsyncEnumerable<DomainLifecycleEvent>> SubscribeAsync(EmbeddedTransport transport, string name, CancellationToken ct)
    {
        // Subscribing to all domains: the one we run may not exist yet; filtered here by name.
        await transport.SubscribeAsync(new EventSubscription(), ct).ConfigureAwait(false);
        return Filter(transport.Events(ct), name);

        static async IAsyncEnumerable<DomainLifecycleEvent> Filter(IAsyncEnumerable<DomainLifecycleEvent> all, string name)
        {
            await foreach (var e in all.ConfigureAwait(false))
            {
                if (e.Name.Value == name)
                    yield return e;
            }
        }
    }

    /// <summary>In verbose mode, times the probe and the argv build on their own; the start then reuses the probe.</summary>
    private async Task WarmUpAsync(EmbeddedTransport transport, DomainDefinition definition, Stopwatch clock)
    {
        if (!verbose)
            return;
        var settings = transport.Runtime.Config.Runtime;
        var emulator = Virt.Actors.Runtime.DomainRuntime.ResolveEmulator(definition.Devices.Emulator ?? settings.DefaultEmulator);
        // The runtime's own cache: the start that follows finds the probe done.
        var caps = await transport.Runtime.Capabilities.GetAsync(emulator).ConfigureAwait(false);
        Phase($"probe {emulator} (QEMU {caps.Version})", clock);
        var argv = Virt.Supervisor.CommandLine.QemuArgvBuilder.Build(definition, caps,
            new Virt.Supervisor.CommandLine.QemuArgvContext(settings.Paths.MonitorPath(1), settings.Paths.DomainRuntimeDir(1)).WithTapPlaceholders(definition));
        Phase($"argv ({argv.Arguments.Count} arguments)", clock);
    }

    private void Phase(string name, Stopwatch clock)
    {
        if (verbose)
            output.WriteLine($"[{clock.Elapsed.TotalMilliseconds,8:0.0} ms] {name}");
        clock.Restart();
    }

    private Task Say(string line) => output.WriteLineAsync(line);

    private static void TryDelete(string root)
    {
        try { Directory.Delete(root, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
