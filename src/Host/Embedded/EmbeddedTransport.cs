using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Akka.Actor;
using Serilog.Events;
using Virt.Actors.Connections;
using EventSubscription = Virt.Protocol.Client.EventSubscription;
using Virt.Host.Configuration;
using Virt.Host.Runtime;
using Virt.Protocol.Api;
using Virt.Protocol.Client;
using Virt.Protocol.Connection;
using Virt.Protocol.Events;
using Virt.Supervisor.Paths;

namespace Virt.Host.Embedded;

/// <summary>
/// qemu:///embed?root=DIR: the whole runtime in this process on a private tree, no daemon. Closing the
/// connection closes the runtime; VMs keep running unless they were started with autodestroy.
/// </summary>
public sealed class EmbeddedTransport : IVirtTransport
{
    private readonly VirtRuntime _runtime;
    private readonly ConnectionClient _client;
    private readonly Channel<object> _events;
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private EmbeddedTransport(VirtRuntime runtime, ConnectionClient client, Channel<object> events)
    {
        _runtime = runtime;
        _client = client;
        _events = events;
    }

    public VirtRuntime Runtime => _runtime;

    public Task Completion => _closed.Task;

    public static async Task<IVirtTransport> OpenAsync(VirtUri uri, VirtConnectionOptions options, CancellationToken ct) =>
        await StartAsync(VirtPaths.Embed(uri.EmbedRoot!), LogEventLevel.Warning, ct).ConfigureAwait(false);

    /// <param name="qemuDiesWithRuntime">`virt run`: every QEMU this runtime starts dies with the process, however it dies.</param>
    public static async Task<EmbeddedTransport> StartAsync(VirtPaths paths, LogEventLevel consoleLevel, CancellationToken ct,
        bool qemuDiesWithRuntime = false)
    {
        var config = VirtConfig.Load(paths);
        // Akka logs no lower than the console shows: an in-process runtime has no log file, and a line logged while the
        // program ends could otherwise reach stdout through Akka's fallback logger, into a command's output.
        var akkaLevel = consoleLevel <= LogEventLevel.Information ? "INFO" : "WARNING";
        config = config with
        {
            Hocon = Akka.Configuration.ConfigurationFactory.ParseString($"akka.loglevel = {akkaLevel}").WithFallback(config.Hocon),
            Runtime = config.Runtime with { QemuDiesWithRuntime = qemuDiesWithRuntime },
        };
        var runtime = await VirtRuntime.StartAsync(config, LoggingSetup.Create(consoleLevel), ct: ct).ConfigureAwait(false);
        var events = Channel.CreateBounded<object>(new BoundedChannelOptions(config.Host.MaxQueuedEvents)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
        var connection = await runtime.OpenConnectionAsync(
            new ClientInfo(Supervisor.Native.NativeFiles.GetUid(), Environment.ProcessId, ReadOnly: false, "embedded"),
            new ChannelSink(events.Writer), ct: ct).ConfigureAwait(false);
        return new EmbeddedTransport(runtime, new ConnectionClient(connection, config.Host.CallTimeout), events);
    }

    /// <summary>A full queue means the program stopped reading; the connection then closes, as a socket client's would.</summary>
    private sealed class ChannelSink(ChannelWriter<object> writer) : Actors.Connections.IEventSink
    {
        public bool TryPush(DomainLifecycleEvent e) => writer.TryWrite(e);

        public bool TryPush(DomainRebootEvent e) => writer.TryWrite(e);

        public bool TryPush(DomainDeviceEvent e) => writer.TryWrite(e);
    }

    public Task<DomainReplies.IDomainReply> CallAsync(DomainCommands.IDomainCommand command, TimeSpan timeout, CancellationToken ct) =>
        _client.CallAsync(command, timeout, ct);

    public Task SubscribeAsync(EventSubscription subscription, CancellationToken ct) => _client.SubscribeAsync(subscription, ct);

    public async IAsyncEnumerable<DomainLifecycleEvent> Events([EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var e in _events.Reader.ReadAllAsync(ct).ConfigureAwait(false))
        {
            if (e is DomainLifecycleEvent lifecycle)
                yield return lifecycle;
        }
    }

    public IAsyncEnumerable<object> AllEvents(CancellationToken ct) => _events.Reader.ReadAllAsync(ct);

    public async ValueTask DisposeAsync()
    {
        // Autodestroy runs when the connection closes; let it finish before the actor system stops.
        try
        {
            await _client.Connection.GracefulStop(TimeSpan.FromSeconds(30), ConnectionCommands.CloseConnection.Instance).ConfigureAwait(false);
        }
        catch (Exception e) when (e is Akka.Actor.AskTimeoutException or TaskCanceledException)
        {
        }
        _events.Writer.TryComplete();
        await _runtime.DisposeAsync().ConfigureAwait(false);
        _closed.TrySetResult();
    }
}
