using Akka.Actor;
using Virt.Protocol.Errors;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Actors.Connections;

/// <summary>
/// The sender of one request the connection tells the registry, so the reply comes back to the connection
/// tagged with the request's token; no timeout, because a start may rightly take long and must not be lost.
/// </summary>
/// <remarks>The connection tells the request itself, so it reaches the registry before anything the connection sends later.</remarks>
internal sealed class ReplyCatcher : ReceiveActor
{
    /// <summary>To the parent: the reply to request <paramref name="Token"/>.</summary>
    public sealed record Caught(long Token, object Reply);

    private readonly IActorRef _registry;

    public ReplyCatcher(long token, IActorRef registry)
    {
        _registry = registry;
        Receive<Terminated>(_ => Done(token, new ErrorReply(ErrorCode.InternalError, "the domain registry stopped before it answered")));
        ReceiveAny(reply => Done(token, reply));
    }

    public static Props Props(long token, IActorRef registry) => Akka.Actor.Props.Create<ReplyCatcher>(token, registry);

    protected override void PreStart() => Context.Watch(_registry);

    private void Done(long token, object reply)
    {
        Context.Parent.Tell(new Caught(token, reply));
        Context.Stop(Self);
    }
}
