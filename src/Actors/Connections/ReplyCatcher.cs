using Akka.Actor;
using Virt.Protocol.Errors;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Actors.Connections;

/// <summary>
/// Stands in as the sender of one request to the registry so its reply comes back to the connection tagged
/// with the request's token; no timeout, because a start may rightly take long and must not be lost.
/// </summary>
internal sealed class ReplyCatcher : ReceiveActor
{
    /// <summary>To the parent: the reply to request <paramref name="Token"/>.</summary>
    public sealed record Caught(long Token, object Reply);

    private readonly IActorRef _registry;
    private readonly object _request;

    public ReplyCatcher(long token, IActorRef registry, object request)
    {
        _registry = registry;
        _request = request;
        Receive<Terminated>(_ => Done(token, new ErrorReply(ErrorCode.InternalError, "the domain registry stopped before it answered")));
        ReceiveAny(reply => Done(token, reply));
    }

    protected override void PreStart()
    {
        Context.Watch(_registry);
        _registry.Tell(_request, Self);
    }

    public static Props Props(long token, IActorRef registry, object request) =>
        Akka.Actor.Props.Create(() => new ReplyCatcher(token, registry, request));

    private void Done(long token, object reply)
    {
        Context.Parent.Tell(new Caught(token, reply));
        Context.Stop(Self);
    }
}
