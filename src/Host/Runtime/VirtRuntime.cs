using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Serilog;
using Virt.Actors.Connections;
using Virt.Actors.Connections.Hosting;
using Virt.Actors.Hosting;
using Virt.Actors.Registry;
using Virt.Actors.Storage;
using Virt.Host.Cluster;
using Virt.Host.Configuration;
using Virt.Host.Daemon;
using Virt.Host.Remote;
using Virt.Protocol.Errors;
using Virt.Supervisor.Capabilities;
using static Virt.Actors.Connections.ConnectionCommands;
using static Virt.Actors.Connections.ConnectionReplies;

namespace Virt.Host.Runtime;

/// <summary>
/// One Virt runtime: the generic host with Serilog and the actor system (/user/domains, /user/connections).
/// virtd runs one with its socket servers added; `virt run` and qemu:///embed run one in-process.
/// </summary>
public sealed class VirtRuntime : IAsyncDisposable
{
    private VirtRuntime(IHost host, VirtConfig config, CapabilitiesCache capabilities, StoragePools storage)
    {
        Host = host;
        Config = config;
        Capabilities = capabilities;
        Storage = storage;
        System = host.Services.GetRequiredService<ActorSystem>();
        var registry = host.Services.GetRequiredService<ActorRegistry>();
        Domains = registry.Get<DomainRegistry>();
        Connections = registry.Get<ConnectionManager>();
    }

    public IHost Host { get; }
    /// <summary>The emulator probes the domain actors use; a probe made here is the one a start reuses.</summary>
    public CapabilitiesCache Capabilities { get; }
    public VirtConfig Config { get; }
    /// <summary>The storage pools libvirt clients see (directory pools); the domain actors do not need them.</summary>
    public StoragePools Storage { get; }
    public ActorSystem System { get; }
    public IActorRef Domains { get; }
    public IActorRef Connections { get; }

    /// <summary>Builds and starts a runtime; <paramref name="configure"/> adds what the caller needs (socket servers).</summary>
    public static async Task<VirtRuntime> StartAsync(VirtConfig config, Serilog.ILogger logger,
        Action<IServiceCollection>? configure = null, CancellationToken ct = default)
    {
        TreeDirectories.Ensure(config.Runtime.Paths);
        var poolProblems = new List<string>();
        var storage = StoragePools.Open(config.Runtime.Paths.StorageDir, poolProblems);
        foreach (var problem in poolProblems)
            logger.Warning("Skipped storage pool config {Problem}", problem);
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Services.AddSerilog(logger, dispose: false);
        builder.Services.AddSingleton(config);
        builder.Services.AddSingleton<IHostLifetime, ManualLifetime>();
        var capabilities = new CapabilitiesCache();
        // The configs are read while the actor system starts: at 10,000 domains the scan is most of a start.
        var store = Actors.Config.ConfigStore.Open(config.Runtime.Paths.ConfigDir);
        store.ScanAhead();
        // The default emulator is probed while the configs load: defines then store their hardware complete.
        var warmUp = WarmUpAsync(capabilities, config.Runtime.DefaultEmulator, logger);
        builder.Services.AddAkka("virt", (akka, _) =>
        {
            akka.AddHocon(config.Hocon, HoconAddMode.Prepend)
                .ConfigureLoggers(loggers =>
                {
                    loggers.ClearLoggers();
                    loggers.AddLoggerFactory();
                })
                .WithDomainActors(config.Runtime, capabilities, store)
                .WithCluster(config, capabilities) // cluster: only with virt.cluster.enabled = on
                .WithConnectionActors()
                .WithRemoteEndpoint(config); // remote: Akka.Remote endpoint, only with virt.remote.enabled = on
        });
        configure?.Invoke(builder.Services);
        var host = builder.Build();
        await host.StartAsync(ct).ConfigureAwait(false);
        var runtime = new VirtRuntime(host, config, capabilities, storage);
        // Ready means the configs are loaded: a call answered before would not know every domain.
        var report = await runtime.Domains.Ask<DomainRegistryActor.ScanReport>(DomainRegistryActor.GetScanReport.Instance, ScanWait, ct)
            .ConfigureAwait(false);
        if (report.Failure is { } failure)
        {
            await runtime.DisposeAsync().ConfigureAwait(false);
            throw new VirtException(ErrorCode.OperationFailed, failure);
        }
        await warmUp.ConfigureAwait(false);
        return runtime;
    }

    /// <summary>Probes the default emulator once, bounded; a failure only means defines wait for their start to be completed.</summary>
    private static async Task WarmUpAsync(CapabilitiesCache capabilities, string emulator, Serilog.ILogger logger)
    {
        try
        {
            var path = Actors.Runtime.DomainRuntime.ResolveEmulator(emulator);
            await capabilities.GetAsync(path).WaitAsync(WarmUpWait).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.Warning("Cannot probe the default emulator {Emulator} yet: {Reason}", emulator, e.Message);
        }
    }

    private static readonly TimeSpan WarmUpWait = TimeSpan.FromSeconds(10);

    /// <summary>A bound only: 10,000 configs scan in about a second.</summary>
    private static readonly TimeSpan ScanWait = TimeSpan.FromMinutes(5);

    /// <summary>Opens a connection actor for one client; its autodestroy domains die with it.</summary>
    public async Task<IActorRef> OpenConnectionAsync(ClientInfo client, Actors.Connections.IEventSink? sink, IActorRef? remoteClient = null,
        CancellationToken ct = default)
    {
        var reply = await Connections.Ask<object>(new OpenConnection(client, sink, remoteClient), TimeSpan.FromSeconds(30), ct).ConfigureAwait(false);
        return reply is ConnectionOpened opened
            ? opened.Connection
            : throw new VirtException(ErrorCode.InternalError, "the connection manager did not open a connection");
    }

    public async ValueTask DisposeAsync()
    {
        await Host.StopAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        Host.Dispose();
    }
}
