using System.Runtime.InteropServices;
using Akka.Actor;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Serilog.Events;
using Virt.Host.Configuration;
using Virt.Host.Runtime;
using Virt.Host.Sockets;
using Virt.Protocol.Api;
using Virt.Protocol.Errors;
using Virt.Supervisor.Native;
using Virt.Supervisor.Paths;
using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Host.Daemon;

/// <summary>
/// virtd: one runtime serving its sockets. Ready means the sockets accept calls (and systemd is told so).
/// SIGTERM/SIGINT stop accepting, answer what is in flight, apply the stop policy (VMs keep running by
/// default) and exit; SIGHUP rescans configs.
/// </summary>
public sealed class Daemon
{
    private const UnixFileMode ReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode Everyone = ReadWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite;

    public static async Task<int> RunAsync(DaemonOptions options, CancellationToken external = default)
    {
        // First of all: until they are close-on-exec, every program started (a capabilities probe) would inherit them.
        IReadOnlyDictionary<string, System.Net.Sockets.Socket> activated;
        try
        {
            activated = SystemdSockets.Take();
        }
        catch (IOException e)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return 1;
        }
        VirtPaths paths;
        DaemonLock daemonLock;
        VirtConfig config;
        try
        {
            paths = options.ResolvePaths();
            paths.EnsureSocketPathsFit();
            // Whatever the daemon creates is its user's alone unless it says otherwise (the read-only socket is 0666),
            // its own log included; QEMU inherits the mask for its sockets and files.
            NativeFiles.Umask(0b000_111_111);
            TreeDirectories.Ensure(paths);
            config = VirtConfig.Load(paths, options.ConfigFile);
            Remote.RemoteEndpointHosting.Validate(config.Host.Remote)?.Certificate.Dispose(); // remote: refuse an unsafe endpoint before anything starts
            Cluster.ClusterHosting.Validate(config.Host);
            daemonLock = DaemonLock.Acquire(paths.LockPath);
        }
        catch (VirtException e)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return 1;
        }

        using var _ = daemonLock;
        var logger = LoggingSetup.Create(options.Verbose ? LogEventLevel.Debug : LogEventLevel.Information,
            Path.Combine(paths.LogDir, "..", "virtd.log"));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(external);
        using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });

        VirtRuntime runtime;
        try
        {
            runtime = await VirtRuntime.StartAsync(config, logger, ct: stop.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is VirtException or IOException or UnauthorizedAccessException)
        {
            logger.Fatal("Cannot start: {Reason}", e.Message);
            await Console.Error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return 1;
        }

        var log = runtime.Host.Services.GetService(typeof(ILoggerFactory)) is ILoggerFactory factory
            ? factory.CreateLogger("virtd")
            : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        using var onHup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, c =>
        {
            c.Cancel = true;
            log.LogInformation("SIGHUP: rescanning domain configs");
            runtime.Domains.Tell(Actors.Registry.DomainRegistryActor.Rescan.Instance);
        });

        var sessions = new DaemonSessions(runtime);
        // The same sockets speak libvirt's remote protocol to virsh, python3-libvirt and virt-install.
        var system = paths.Mode == Protocol.Connection.RuntimeMode.System;
        var libvirt = new Libvirt.LibvirtSessionFactory(runtime, system ? "qemu:///system" : "qemu:///session");
        var servers = new List<UnixSocketServer>();
        try
        {
            var uid = NativeFiles.GetEuid();
            var served = new HashSet<string>(StringComparer.Ordinal);
            void Listen(string path, bool readOnly)
            {
                served.Add(path);
                servers.Add(new UnixSocketServer(
                    config.Host.SocketOptions(path, readOnly, readOnly ? Everyone : ReadWrite, allowedUid: system ? null : uid), sessions, log, libvirt,
                    activated.GetValueOrDefault(path)));
            }
            Listen(paths.SocketPath!, readOnly: false);
            if (system)
                Listen(paths.ReadOnlySocketPath!, readOnly: true);
            if (options.LibvirtSockets)
            {
                var libvirtPaths = LibvirtSocketPaths.For(paths);
                VirtPaths.EnsureSocketPathFits(libvirtPaths.ReadOnly ?? libvirtPaths.ReadWrite, listening: true);
                libvirtPaths.EnsureDirectory(system);
                Listen(libvirtPaths.ReadWrite, readOnly: false);
                if (system)
                    Listen(libvirtPaths.ReadOnly!, readOnly: true);
            }
            foreach (var server in servers)
                server.Start();
            // A socket unit listening somewhere this daemon does not serve would take connections nobody answers.
            foreach (var (path, stray) in activated.Where(a => !served.Contains(a.Key)))
            {
                log.LogWarning("systemd passed a socket for {Path}, which this daemon does not serve (check the socket units); closing it", path);
                stray.Dispose();
            }
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or UnauthorizedAccessException or VirtException)
        {
            log.LogCritical("Cannot listen: {Reason}", e.Message);
            await Console.Error.WriteLineAsync($"error: cannot listen: {e.Message}").ConfigureAwait(false);
            foreach (var server in servers)
                await server.DisposeAsync().ConfigureAwait(false);
            await runtime.DisposeAsync().ConfigureAwait(false);
            return 1;
        }

        new SystemdNotifier().Notify(ServiceState.Ready);
        log.LogInformation("virtd {Pid} ready on {Socket} (configs {ConfigDir}, runtime {RuntimeDir})",
            Environment.ProcessId, paths.SocketPath, paths.ConfigDir, paths.RuntimeDir);

        // A cluster node the others downed (the smaller side of a partition) loses its actor system: it exits, its QEMUs
        // keep running, and the service manager's restart rejoins it and reconnects them.
        var stopped = Task.Delay(Timeout.Infinite, stop.Token);
        if (await Task.WhenAny(stopped, runtime.System.WhenTerminated).ConfigureAwait(false) != stopped)
        {
            log.LogCritical("The actor system stopped (removed from the cluster): exiting; running domains keep running");
            foreach (var server in servers)
                await server.DisposeAsync().ConfigureAwait(false);
            return 3;
        }

        log.LogInformation("Stopping: no new calls; answering those in flight");
        new SystemdNotifier().Notify(ServiceState.Stopping);
        await Task.WhenAll(servers.Select(s => s.StopAsync(TimeSpan.FromSeconds(10)))).ConfigureAwait(false);
        await ApplyStopPolicyAsync(runtime, config.Host, log).ConfigureAwait(false);
        await runtime.DisposeAsync().ConfigureAwait(false);
        foreach (var server in servers)
            await server.DisposeAsync().ConfigureAwait(false);
        log.LogInformation("virtd stopped");
        return 0;
    }

    private static async Task ApplyStopPolicyAsync(VirtRuntime runtime, HostSettings host, Microsoft.Extensions.Logging.ILogger log)
    {
        if (host.OnStop == DaemonStopPolicy.LeaveRunning)
        {
            log.LogInformation("Leaving running domains running (virt.on-stop = leave-running)");
            return;
        }
        var list = await runtime.Domains.Ask<IDomainReply>(new ListDomains(ListDomainsFlags.Active), TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        if (list is not DomainList { Domains: var active })
            return;
        await Task.WhenAll(active.Select(d => StopDomainAsync(runtime, host, d.Uuid, log))).ConfigureAwait(false);
    }

    private static async Task StopDomainAsync(VirtRuntime runtime, HostSettings host, DomainUuid uuid, Microsoft.Extensions.Logging.ILogger log)
    {
        var domain = DomainRef.ByUuid(uuid);
        if (host.OnStop == DaemonStopPolicy.Shutdown)
        {
            using var signal = new DomainStoppedSignal(runtime.System, uuid);
            await runtime.Domains.Ask<IDomainReply>(new ShutdownDomain(domain), TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            var deadline = Task.Delay(host.OnStopShutdownTimeout);
            // Asked once after subscribing: a domain that stopped before the signal existed sends it no event.
            if (await runtime.Domains.Ask<IDomainReply>(new LookupDomain(domain), TimeSpan.FromSeconds(30)).ConfigureAwait(false) is not DomainSummary { Active: true })
                return;
            if (await Task.WhenAny(signal.Stopped, deadline).ConfigureAwait(false) == signal.Stopped)
                return;
            log.LogWarning("Domain {Domain} did not shut down within {Timeout}; destroying it", domain, host.OnStopShutdownTimeout);
        }
        await runtime.Domains.Ask<IDomainReply>(new DestroyDomain(domain), TimeSpan.FromSeconds(60)).ConfigureAwait(false);
    }
}
