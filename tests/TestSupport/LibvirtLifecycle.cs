namespace Virt.TestSupport;

/// <summary>
/// libvirt 9.0's lifecycle event sequences, as virsh prints them, recorded by hand with Debian's libvirt-daemon
/// 9.0.0-4+deb12u2 and the test guest (docs/libvirt-9.0-lifecycle.md): the expected values of Virt's tests.
/// </summary>
public static class LibvirtLifecycle
{
    public static readonly string[] Start = ["Resumed Unpaused", "Started Booted"];
    public static readonly string[] StartPaused = ["Started Booted", "Suspended Paused"];
    public static readonly string[] Suspend = ["Suspended Paused"];
    public static readonly string[] Resume = ["Resumed Unpaused"];
    /// <summary>virsh shutdown, the guest powering off on ACPI.</summary>
    public static readonly string[] GuestShutdown = ["Shutdown Finished after guest request", "Stopped Shutdown"];
    /// <summary>virsh destroy (also --graceful, also of a paused domain, also autodestroy).</summary>
    public static readonly string[] Destroy = ["Shutdown Finished after host request", "Stopped Destroyed"];
    /// <summary>kill -9 of QEMU: nothing else, and no restart whatever on_crash says; shut off (crashed).</summary>
    public static readonly string[] QemuKilled = ["Stopped Failed"];
    /// <summary>kill -15 of QEMU from outside: shut off (shutdown).</summary>
    public static readonly string[] QemuTerminated = ["Shutdown Finished after host request", "Stopped Shutdown"];
    /// <summary>A guest panic (pvpanic) with on_crash destroy: shut off (crashed).</summary>
    public static readonly string[] PanicDestroy = ["Suspended Paused", "Crashed Panicked", "Stopped Crashed"];
    /// <summary>A guest panic with on_crash restart: the same QEMU, running (crashed).</summary>
    public static readonly string[] PanicRestart = ["Suspended Paused", "Crashed Panicked", "Resumed Unpaused"];
    /// <summary>A guest panic with on_crash preserve: crashed (panicked).</summary>
    public static readonly string[] PanicPreserve = ["Suspended Paused", "Crashed Panicked"];
}
