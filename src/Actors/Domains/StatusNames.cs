using Virt.Protocol.Errors;
using Virt.Protocol.Events;

namespace Virt.Actors.Domains;

/// <summary>State and reason as words in status files ("running", "booted"), and back.</summary>
internal static class StatusNames
{
    public static string State(DomainState state) => state.ToString().ToLowerInvariant();

    public static string Reason(DomainState state, int reason) => (ReasonType(state) is { } type && Enum.IsDefined(type, reason)
        ? Enum.GetName(type, reason)!
        : "unknown").ToLowerInvariant();

    /// <exception cref="VirtException">The words name no state.</exception>
    public static (DomainState State, int Reason) Parse(string state, string reason)
    {
        if (!Enum.TryParse<DomainState>(state, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed))
            throw new VirtException(ErrorCode.InternalError, $"unknown domain state '{state}'");
        var value = ReasonType(parsed) is { } type && Enum.TryParse(type, reason, ignoreCase: true, out var r) ? (int)r! : 0;
        return (parsed, value);
    }

    private static Type? ReasonType(DomainState state) => state switch
    {
        DomainState.Running => typeof(RunningReason),
        DomainState.Paused => typeof(PausedReason),
        DomainState.Shutdown => typeof(ShutdownReason),
        DomainState.Shutoff => typeof(ShutoffReason),
        DomainState.Crashed => typeof(CrashedReason),
        _ => null,
    };
}
