using static Virt.Protocol.Api.DomainCommands;

namespace Virt.Protocol.Api;

/// <summary>Saving a running domain's memory to a file and bringing it back (virsh save, restore, managedsave).</summary>
public static class DomainSaves
{
    /// <summary>Saves the domain's state to <paramref name="Path"/> (absolute, on the daemon's host) and stops it: shut off (saved).</summary>
    public sealed record SaveDomain(DomainRef Domain, string Path, DomainSaveFlags Flags = DomainSaveFlags.None) : IWriteCommand;

    /// <summary>Saves to the daemon's own image for the domain; its next start restores it (virsh managedsave).</summary>
    public sealed record ManagedSaveDomain(DomainRef Domain, DomainSaveFlags Flags = DomainSaveFlags.None) : IWriteCommand;

    /// <summary>Drops the domain's managed save image, so its next start boots (virsh managedsave-remove).</summary>
    public sealed record RemoveManagedSave(DomainRef Domain) : IWriteCommand;

    /// <summary>Starts the domain a save image holds, from the state it was saved in (virsh restore).</summary>
    public sealed record RestoreDomain(string Path, DomainSaveFlags Flags = DomainSaveFlags.None) : IWriteCommand;
}

/// <summary>libvirt's virDomainSaveRestoreFlags: after a restore, run or stay paused (else as the guest was when saved).</summary>
[Flags]
public enum DomainSaveFlags
{
    None = 0,
    BypassCache = 1 << 0,
    Running = 1 << 1,
    Paused = 1 << 2,
}
