using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Virt.Protocol.Client;
using Virt.Protocol.Connection;
using Virt.Protocol.Errors;
using Virt.Protocol.Events;
using Virt.Protocol.Rpc;
using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainReplies;
using static Virt.Protocol.Remote.RemoteMessages;

namespace Virt.Protocol.Remote;

/// <summary>
/// qemu+akka://HOST:PORT/: a daemon reached over Akka.Remote. The transport runs its own small actor system on
/// an ephemeral loopback port; the daemon opens a connection for its client actor, and the connection's
/// autodestroy domains die with that actor or its association.
/// </summary>
public sealed class RemoteTransport : IVirtTransport
{
    /// <summary>How long the daemon has to answer the handshake, the subscription and the goodbye.</summary>
    public static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Events received and not yet read before the connection is closed as a slow reader.</summary>
    public const int MaxQueuedEvents = 1024;

    private readonly ActorSystem _system;
    private readonly IActorRef _client;
    private readonly ActorSelection _endpoint;
    private readonly Welcome _welcome;
    private readonly IActorRef _connection;
    private readonly Channel<object> _events;
    private readonly TaskCompletionSource _stopped;
    private int _disposed;

    private RemoteTransport(ActorSystem system, IActorRef client, ActorSelection endpoint, Welcome welcome, IActorRef connection,
        Channel<object> events, TaskCompletionSource stopped)
    {
        _system = system;
        _client = client;
        _endpoint = endpoint;
        _welcome = welcome;
        _connection = connection;
        _events = events;
        _stopped = stopped;
    }

    /// <summary>The daemon's number for this connection, as its logs show it.</summary>
    public long ConnectionId => _welcome.ConnectionId;

    /// <summary>This client's own Akka address, as the daemon sees it.</summary>
    public Address LocalAddress => ((ExtendedActorSystem)_system).Provider.DefaultAddress;

    public Task Completion => _stopped.Task;

    public static async Task<IVirtTransport> OpenAsync(VirtUri uri, VirtConnectionOptions options, CancellationToken ct)
    {
        var tls = uri.TlsCertificate is null
            ? null
            : new RemoteTls(uri.TlsCertificate, Environment.GetEnvironmentVariable(RemoteTls.PasswordVariable), uri.TlsPins ?? []);
        return await ConnectAsync(uri.Host!, uri.Port, options, ct, tls).ConfigureAwait(false);
    }

    /// <param name="tls">Mutual TLS with a pinned daemon certificate; required for every host, loopback included.</param>
    public static async Task<RemoteTransport> ConnectAsync(string host, int port, VirtConnectionOptions options, CancellationToken ct,
        RemoteTls? tls)
    {
        if (tls is null)
            throw new VirtException(ErrorCode.OperationInvalid, RemoteTrust.TlsRequired);
        var bootstrap = BootstrapSetup.Create().WithConfig(ClientConfig(host, tls is not null));
        var setup = tls is null ? ActorSystemSetup.Create(bootstrap) : bootstrap.And(tls.ToSetup());
        var system = ActorSystem.Create("virt-client", setup);
        try
        {
            var events = Channel.CreateBounded<object>(new BoundedChannelOptions(MaxQueuedEvents) { SingleReader = true });
            var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var unreachable = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            var client = system.ActorOf(RemoteClientActor.Props(events.Writer, stopped, unreachable), "client");
            var provider = ((ExtendedActorSystem)system).Provider;
            var endpointPath = $"{(tls is null ? "akka.tcp" : "akka.ssl.tcp")}://{RemoteMessages.DaemonSystemName}@{host}:{port}/user/{RemoteMessages.EndpointName}";
            var endpoint = system.ActorSelection(endpointPath);
            var hello = new Hello(client.Path.ToStringWithAddress(provider.DefaultAddress), options.ReadOnly, Environment.ProcessId);
            var hint = tls is null
                ? "is virtd running there with virt.remote.enabled = on?"
                : "is virtd running there with virt.remote.tls = on? check that the daemon trusts this client's certificate and that pin= names the daemon's";
            var welcome = await HandshakeAsync(endpoint, hello, endpointPath, hint, unreachable.Task, ct).ConfigureAwait(false);
            var connection = provider.ResolveActorRef(welcome.Connection);
            client.Tell(new RemoteClientActor.WatchConnection(connection));
            return new RemoteTransport(system, client, endpoint, welcome, connection, events, stopped);
        }
        catch
        {
            await system.Terminate().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Remoting on an ephemeral loopback port with the Protocol serializer; quiet, as a library should be.</summary>
    private static Config ClientConfig(string host, bool tls) =>
        ConfigurationFactory.ParseString((tls ? RemoteTls.Hocon : "") + "\n" + $$"""
            akka {
              loglevel = ERROR
              stdout-loglevel = ERROR
              actor.provider = remote
              remote.log-remote-lifecycle-events = off
              remote.dot-netty.tcp {
                hostname = "{{Loopback.LocalAddressFor(host)}}"
                port = 0
              }
              coordinated-shutdown.run-by-clr-shutdown-hook = off
            }
            """).WithFallback(ConfigurationFactory.ParseString(VirtJsonSerializer.Hocon));

    private static async Task<Welcome> HandshakeAsync(ActorSelection endpoint, Hello hello, string where, string hint, Task<string> unreachable,
        CancellationToken ct)
    {
        var welcome = AskEndpointAsync<Welcome>(endpoint, hello, where, ct, hint);
        if (await Task.WhenAny(welcome, unreachable).ConfigureAwait(false) == welcome)
            return await welcome.ConfigureAwait(false);
        _ = welcome.ContinueWith(t => t.Exception, TaskContinuationOptions.OnlyOnFaulted);
        throw new VirtException(ErrorCode.Rpc,
            $"cannot reach {where}: {await unreachable.ConfigureAwait(false)}; {hint}");
    }

    private static async Task<T> AskEndpointAsync<T>(ActorSelection endpoint, IRemoteMessage message, string where, CancellationToken ct,
        string hint = "is virtd running there with virt.remote.enabled = on?")
    {
        object reply;
        try
        {
            reply = await endpoint.Ask<object>(message, HandshakeTimeout, ct).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            throw new VirtException(ErrorCode.Rpc,
                $"no answer from {where} within {HandshakeTimeout.TotalSeconds:0} s: {hint}");
        }
        return reply switch
        {
            T expected => expected,
            ErrorReply error => throw new VirtException(error.Code, error.Message),
            _ => throw new VirtException(ErrorCode.Rpc, $"an answer of an unexpected kind from {where}"),
        };
    }

    public async Task<IDomainReply> CallAsync(IDomainCommand command, TimeSpan timeout, CancellationToken ct)
    {
        if (_stopped.Task.IsCompleted)
            return new ErrorReply(ErrorCode.Rpc, "the connection to virtd has ended");
        if (Procedures.IsLocalOnly(command))
            return new ErrorReply(ErrorCode.ConfigUnsupported, Procedures.LocalOnlyReason(Procedures.NameOf(command))); // the serializer would drop it
        try
        {
            return await _connection.Ask<IDomainReply>(command, timeout, ct).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            return new ErrorReply(ErrorCode.OperationTimeout, $"no answer to {Procedures.Describe(command)} within {timeout.TotalSeconds:0} s");
        }
    }

    public async Task SubscribeAsync(EventSubscription subscription, CancellationToken ct) =>
        await AskEndpointAsync<Subscribed>(_endpoint, new Subscribe(_welcome.Connection, subscription), "virtd", ct).ConfigureAwait(false);

    public async IAsyncEnumerable<DomainLifecycleEvent> Events([EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var e in _events.Reader.ReadAllAsync(ct).ConfigureAwait(false))
        {
            if (e is DomainLifecycleEvent lifecycle)
                yield return lifecycle;
        }
    }

    /// <summary>Lifecycle, reboot and device events in the order the daemon sent them.</summary>
    public IAsyncEnumerable<object> AllEvents(CancellationToken ct) => _events.Reader.ReadAllAsync(ct);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        // Goodbye lets the daemon finish the autodestroy before this end goes; if it cannot be reached, the
        // association's death does the same.
        if (!_stopped.Task.IsCompleted)
        {
            try
            {
                await AskEndpointAsync<Closed>(_endpoint, new Goodbye(_welcome.Connection), "virtd", CancellationToken.None).ConfigureAwait(false);
            }
            catch (VirtException)
            {
            }
        }
        _client.Tell(PoisonPill.Instance);
        await _system.Terminate().ConfigureAwait(false);
        _events.Writer.TryComplete();
        _stopped.TrySetResult();
    }
}
