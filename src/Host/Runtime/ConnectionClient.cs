using Akka.Actor;
using Virt.Protocol.Api;
using Virt.Protocol.Client;
using Virt.Protocol.Errors;
using Virt.Protocol.Rpc;
using static Virt.Actors.Connections.ConnectionCommands;
using static Virt.Actors.Connections.ConnectionReplies;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Host.Runtime;

/// <summary>The edge between a transport and its ConnectionActor: Ask with a timeout, replies as records.</summary>
public sealed class ConnectionClient(IActorRef connection, TimeSpan callTimeout)
{
    public IActorRef Connection { get; } = connection;

    public Task<IDomainReply> CallAsync(DomainCommands.IDomainCommand command, CancellationToken ct) => CallAsync(command, callTimeout, ct);

    /// <summary>With the caller's own bound (an embedded caller's), instead of the connection's call timeout.</summary>
    public async Task<IDomainReply> CallAsync(DomainCommands.IDomainCommand command, TimeSpan timeout, CancellationToken ct)
    {
        try
        {
            return await Connection.Ask<IDomainReply>(command, timeout, ct).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            return new ErrorReply(ErrorCode.OperationTimeout, $"no answer to {Procedures.Describe(command)} within {timeout.TotalSeconds:0.###} s");
        }
    }

    public async Task SubscribeAsync(EventSubscription subscription, CancellationToken ct)
    {
        var reply = await Connection.Ask<object>(new SubscribeEvents(subscription.Domain, subscription.Types), callTimeout, ct).ConfigureAwait(false);
        if (reply is ErrorReply error)
            throw new VirtException(error.Code, error.Message);
        if (reply is not EventsSubscribed)
            throw new VirtException(ErrorCode.InternalError, "the daemon gave an answer of the wrong kind to an event subscription");
    }

    public async Task UnsubscribeAsync(CancellationToken ct) =>
        await Connection.Ask<object>(UnsubscribeEvents.Instance, callTimeout, ct).ConfigureAwait(false);

    /// <summary>The client is gone: the connection runs its autodestroy and stops.</summary>
    public void Close() => Connection.Tell(CloseConnection.Instance);
}
