using Virt.Protocol.Events;
using Virt.Supervisor.Status;

namespace Virt.Actors.Domains;

/// <summary>The status file of a live domain, built in one place for a start, a transition and an attach.</summary>
internal static class StatusRecord
{
    /// <param name="qemu">The process: pid, start time (so a reused pid is never taken for it) and monitor socket.</param>
    public static DomainStatusFile Of(Guid uuid, string name, (int Pid, ulong StartTime, string MonitorPath) qemu, DomainState state, int reason,
        string liveXml, int id, IEnumerable<string> taints, string? autodestroyOwner = null) => new()
        {
            Uuid = uuid,
            Name = name,
            Pid = qemu.Pid,
            ProcessStartTime = qemu.StartTime,
            MonitorPath = qemu.MonitorPath,
            State = StatusNames.State(state),
            Reason = StatusNames.Reason(state, reason),
            DomainXml = liveXml,
            AutodestroyOwner = autodestroyOwner,
            Taints = [.. taints],
            DomainId = id,
        };
}
