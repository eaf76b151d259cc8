using Virt.Actors.Registry;
using Virt.Protocol.Api;
using Virt.Protocol.Events;
using Virt.Supervisor.Stats;
using static Virt.Protocol.Api.DomainQueries;

namespace Virt.Actors.Domains;

/// <summary>A domain's stats record: libvirt's state group first, then what the reader found for the other groups.</summary>
internal static class DomainStatsRecords
{
    public static DomainStatsRecord Of(DomainEntry entry, int? id, DomainState state, int reason, DomainStatsGroups groups, IReadOnlyList<TypedParameter> rest)
    {
        var fields = new List<TypedParameter>(rest.Count + 2);
        if (groups.HasFlag(DomainStatsGroups.State))
        {
            fields.Add(TypedParameter.Int("state.state", (int)state));
            fields.Add(TypedParameter.Int("state.reason", reason));
        }
        fields.AddRange(rest);
        return new DomainStatsRecord(entry.Name, entry.Uuid, id, fields);
    }

    /// <summary>A shut-off domain's record, from its config and its disk files (file I/O: not for an actor's thread).</summary>
    public static DomainStatsRecord Inactive(DomainEntry entry, DomainStatsGroups groups) =>
        Of(entry, null, entry.State, entry.Reason, groups, DomainStatsReader.ReadInactive(entry.Config, groups));

    /// <summary>What the groups of a query mean: none asks for all that Virt keeps; others are dropped, as libvirt does without ENFORCE.</summary>
    public static DomainStatsGroups Effective(DomainStatsGroups asked) =>
        asked == DomainStatsGroups.None ? DomainStatsGroups.Supported : asked & DomainStatsGroups.Supported;
}
