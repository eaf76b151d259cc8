namespace Virt.Actors.Domains;

/// <summary>What a domain's one job at a time is doing.</summary>
internal enum JobKind
{
    Start,
    Reconnect,
    Attach,
    Suspend,
    Resume,
    Shutdown,
    Reboot,
    Reset,
    MonitorCommand,
    SetMemory,
    Save,
    ChangeMedia,
    Screenshot,
    OpenGraphics,
    Snapshot,
    AttachDevice,
    DetachDevice,
    Migrate,
}

internal static class JobKinds
{
    /// <summary>The job as messages name it ("domain 'x' is busy with shutdown").</summary>
    public static string Describe(this JobKind kind) => kind switch
    {
        JobKind.MonitorCommand => "qemu-monitor-command",
        JobKind.SetMemory => "setmem",
        JobKind.ChangeMedia => "change-media",
        JobKind.AttachDevice => "attach-device",
        JobKind.DetachDevice => "detach-device",
        JobKind.OpenGraphics => "open-graphics",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
