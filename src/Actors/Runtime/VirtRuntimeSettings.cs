using Virt.Supervisor.Paths;

namespace Virt.Actors.Runtime;

/// <summary>Settings of the domain actors: where files live, which emulator, and every timeout, with code defaults in one place.</summary>
public sealed record VirtRuntimeSettings
{
    public required VirtPaths Paths { get; init; }

    /// <summary>Emulator for domains whose XML names none: a path, or a name looked up in PATH.</summary>
    public string DefaultEmulator { get; init; } = "qemu-system-x86_64";

    /// <summary>How long destroy waits after SIGTERM before SIGKILL.</summary>
    public TimeSpan KillTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a request waits for the domain's current job before failing as busy.</summary>
    public TimeSpan JobWait { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan QmpTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>From spawn to a ready QMP monitor.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Whether the runtime starts autostart domains once it has loaded and reconnected.</summary>
    public bool Autostart { get; init; } = true;

    /// <summary>virt.networks: each network a &lt;interface type='network'&gt; may name, and the bridge it plugs guests into.</summary>
    public IReadOnlyDictionary<string, string> Networks { get; init; } = new Dictionary<string, string>();

    /// <summary>QEMUs die with this process however it ends (`virt run`); a daemon's QEMUs outlive it.</summary>
    public bool QemuDiesWithRuntime { get; init; }

    /// <summary>Settings for a config directory alone (registry tests): the embed layout next to it.</summary>
    public static VirtRuntimeSettings ForConfigDirectory(string configDirectory)
    {
        var full = System.IO.Path.GetFullPath(configDirectory);
        var root = System.IO.Path.GetDirectoryName(full) ?? full;
        return new VirtRuntimeSettings { Paths = VirtPaths.Embed(root) with { ConfigDir = full } };
    }
}
