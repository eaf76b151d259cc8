using Virt.Protocol.Api;
using Virt.Protocol.Events;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Cli.Tests;

/// <summary>Reply records as a runtime would send them, for the formatter tests.</summary>
internal static class Domains
{
    public static DomainSummary Running(string name, int id, string uuid = "11111111-2222-3333-4444-555555555555", bool autostart = false) =>
        new(new DomainName(name), DomainUuid.Parse(uuid), id, DomainState.Running, (int)RunningReason.Booted, true, autostart);

    public static DomainSummary Paused(string name, int id, string uuid = "22222222-2222-3333-4444-555555555555") =>
        new(new DomainName(name), DomainUuid.Parse(uuid), id, DomainState.Paused, (int)PausedReason.User, false, false);

    public static DomainSummary ShutOff(string name, string uuid = "33333333-2222-3333-4444-555555555555",
        ShutoffReason reason = ShutoffReason.Destroyed) =>
        new(new DomainName(name), DomainUuid.Parse(uuid), null, DomainState.Shutoff, (int)reason, true, false);
}
