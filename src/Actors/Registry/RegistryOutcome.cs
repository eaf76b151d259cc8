using Virt.Protocol.Events;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Actors.Registry;

/// <summary>The result of one registry rule: the reply for the caller and the events to publish.</summary>
public readonly record struct RegistryOutcome(IDomainReply Reply, IReadOnlyList<DomainLifecycleEvent> Events)
{
    public bool Succeeded => Reply is not ErrorReply;

    public static RegistryOutcome Fail(Virt.Protocol.Errors.ErrorCode code, string message) => new(new ErrorReply(code, message), []);

    public static RegistryOutcome Of(IDomainReply reply, params DomainLifecycleEvent[] events) => new(reply, events);
}
