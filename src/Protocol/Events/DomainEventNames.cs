namespace Virt.Protocol.Events;

/// <summary>virsh event's words for lifecycle event types and details.</summary>
public static class DomainEventNames
{
    private static readonly string[] TypeNames =
        ["Defined", "Undefined", "Started", "Suspended", "Resumed", "Stopped", "Shutdown", "PMSuspended", "Crashed"];

    private static readonly string[][] DetailNames =
    [
        ["Added", "Updated", "Renamed", "Snapshot"],
        ["Removed", "Renamed"],
        ["Booted", "Migrated", "Restored", "Snapshot", "Event wakeup", "Recreation"],
        ["Paused", "Migrated", "I/O Error", "Watchdog", "Restored", "Snapshot", "API error", "Post-copy", "Post-copy Error"],
        ["Unpaused", "Migrated", "Snapshot", "Post-copy", "Post-copy Error"],
        ["Shutdown", "Destroyed", "Crashed", "Migrated", "Saved", "Failed", "Snapshot", "Recreation"],
        ["Finished", "Finished after guest request", "Finished after host request"],
        ["Memory", "Disk"],
        ["Panicked", "Crashloaded"],
    ];

    public static string TypeName(DomainEventType type) =>
        (int)type >= 0 && (int)type < TypeNames.Length ? TypeNames[(int)type] : "unknown";

    public static string DetailName(DomainEventType type, int detail)
    {
        if ((int)type < 0 || (int)type >= DetailNames.Length)
            return "unknown";
        var names = DetailNames[(int)type];
        return detail >= 0 && detail < names.Length ? names[detail] : "unknown";
    }

    /// <summary>"Stopped Destroyed".</summary>
    public static string Describe(DomainEventType type, int detail) => $"{TypeName(type)} {DetailName(type, detail)}";
}
