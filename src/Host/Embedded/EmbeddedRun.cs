using System.Diagnostics;
using System.Runtime.InteropServices;
using Serilog.Events;
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
/// started, waited for until it shuts down. A signal destroys the VM first. Run again on the same root
/// after a crash, it finds the VM still running (status file) and reconnects instead of starting twice.
/// </summary>
public sealed class EmbeddedRun(TextWriter output, TextWriter error, bool verbose)
{
    public async Task<int> RunAsync(string xmlFile, string? root, CancellationToken ct = default)
    {
        DomainDefinition definition;
        string xml;
        try
        {
            xml = await File.ReadAllTextAsync(xmlFile, ct).ConfigureAwait(false);
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
            return await RunInRootAsync(xml, definition, VirtPaths.Embed(root), ct).ConfigureAwait(false);
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

    private async Task<int> RunInRootAsync(string xml, DomainDefinition definition, VirtPaths paths, CancellationToken ct)
    {
        paths.EnsureSocketPathsFit();
        var clock = Stopwatch.StartNew();
        await using var transport = await EmbeddedTransport.StartAsync(paths, verbose ? LogEventLevel.Information : LogEventLevel.Warning, ct).ConfigureAwait(false);
        Phase("runtime", clock);
        var domain = DomainRef.ByUuid(new DomainUuid(definition.Uuid));
        var events = await SubscribeAsync(transport, domain, CancellationToken.None).ConfigureAwait(false);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
        using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        using var onHup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, c => { c.Cancel = true; stop.Cancel(); });

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
        using var onStop = stop.Token.Register(() => stopRequested.TrySetResult());
        // Not disposed: an async iterator cannot be disposed while a MoveNext is pending; closing the
        // transport ends it instead.
        var next = events.GetAsyncEnumerator(CancellationToken.None);
        while (true)
        {
            var moved = next.MoveNextAsync().AsTask();
            if (await Task.WhenAny(moved, stopRequested.Task).ConfigureAwait(false) == stopRequested.Task)
            {
                await Say($"Signal received: destroying domain '{definition.Name}'").ConfigureAwait(false);
                await transport.CallAsync(new DomainCommands.DestroyDomain(domain), TimeSpan.FromMinutes(1), CancellationToken.None).ConfigureAwait(false);
                return 0;
            }
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
        }
    }

    private static async Task<IAsyncEnumerable<DomainLifecycleEvent>> SubscribeAsync(EmbeddedTransport transport, DomainRef domain, CancellationToken ct)
    {
        // Subscribing to all domains: the one we run may not exist yet; filtered here by UUID.
        await transport.SubscribeAsync(new EventSubscription(), ct).ConfigureAwait(false);
        return Filter(transport.Events(ct), domain.Uuid!.Value);

        static async IAsyncEnumerable<DomainLifecycleEvent> Filter(IAsyncEnumerable<DomainLifecycleEvent> all, DomainUuid uuid)
        {
            await foreach (var e in all.ConfigureAwait(false))
            {
                if (e.Uuid == uuid)
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
            new Virt.Supervisor.CommandLine.QemuArgvContext(settings.Paths.MonitorPath(1), settings.Paths.DomainRuntimeDir(1)));
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
