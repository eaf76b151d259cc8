using Virt.Protocol.Connection;
using Virt.Protocol.Errors;

namespace Virt.Supervisor.Paths;

/// <summary>Where one runtime keeps configs, runtime state, logs and sockets (ARCHITECTURE.md "Paths").</summary>
public sealed record VirtPaths
{
    /// <summary>A UNIX socket path holds at most 107 bytes plus the terminating NUL.</summary>
    public const int MaxSocketPathBytes = 107;
    /// <summary>A listening socket is bound under its path plus this, then renamed into place; that name must fit too.</summary>
    public const string SocketBindSuffix = ".new";

    public required RuntimeMode Mode { get; init; }
    public required string ConfigDir { get; init; }
    public required string RuntimeDir { get; init; }
    public required string LogDir { get; init; }
    /// <summary>Directory of the daemon's sockets and lock; null for an embedded runtime.</summary>
    public string? SocketDir { get; init; }
    /// <summary>
    /// Every directory of the tree the runtime creates or writes, parents first, each with the directory above it that
    /// is not ours (a home, /run, the parent of --root): owner and mode are checked from there down.
    /// </summary>
    public required IReadOnlyList<(string Base, string Leaf)> Branches { get; init; }

    /// <summary>The directories of <see cref="Branches"/>, parents first, each once.</summary>
    public IEnumerable<string> OwnedDirectories => Branches
        .SelectMany(b => Below(b.Base, b.Leaf))
        .Distinct(StringComparer.Ordinal);

    private static IEnumerable<string> Below(string baseDir, string leaf)
    {
        var chain = new Stack<string>();
        for (var dir = Path.TrimEndingDirectorySeparator(leaf); dir is not null && !string.Equals(dir, Path.TrimEndingDirectorySeparator(baseDir), StringComparison.Ordinal);
             dir = Path.GetDirectoryName(dir))
            chain.Push(dir);
        return chain;
    }

    public string AutostartDir => Path.Combine(ConfigDir, "autostart");
    /// <summary>Storage pool configs (libvirt's storage/ beside qemu/): NAME.xml and autostart/NAME.xml.</summary>
    public string StorageDir => Path.Combine(Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(ConfigDir))!, "storage");
    /// <summary>UEFI guests' variable stores (NAME_VARS.fd), kept with the configs they belong to, as libvirt's session keeps them.</summary>
    public string NvramDir => Path.Combine(ConfigDir, "nvram");
    /// <summary>Managed save images, one per domain name (libvirt's qemu/save).</summary>
    public string ManagedSaveDir => Path.Combine(ConfigDir, "save");
    public string ManagedSavePath(string name) => Path.Combine(ManagedSaveDir, name + ".save");
    /// <summary>A domain's snapshot metadata, one file per snapshot (libvirt's qemu/snapshot/NAME).</summary>
    public string SnapshotDir(string name) => Path.Combine(ConfigDir, "snapshot", name);
    /// <summary>Emulated TPMs' state, one directory per domain UUID, kept with the configs as the NVRAM is.</summary>
    public string TpmDir => Path.Combine(ConfigDir, "swtpm");
    public string TpmStateDir(Guid uuid) => Path.Combine(TpmDir, uuid.ToString("D"));
    public string TpmLogPath(string name) => Path.Combine(LogDir, name + "-swtpm.log");
    public string? SocketPath => SocketDir is null ? null : Path.Combine(SocketDir, "virt-sock");
    public string? ReadOnlySocketPath => Mode == RuntimeMode.System && SocketDir is not null ? Path.Combine(SocketDir, "virt-sock-ro") : null;
    public string LockPath => Path.Combine(RuntimeDir, "virtd.lock");

    public string DomainLogPath(string name) => Path.Combine(LogDir, name + ".log");
    public string StatusPath(Guid uuid) => Path.Combine(RuntimeDir, uuid.ToString("D") + ".status");
    /// <summary>Monitor sockets are named by domain id, so the path stays short whatever the name.</summary>
    public string MonitorPath(int domainId) => Path.Combine(RuntimeDir, $"{domainId}.qmp");
    public string DomainRuntimeDir(int domainId) => Path.Combine(RuntimeDir, $"d{domainId}");

    public static VirtPaths Session(string? home = null, string? xdgRuntimeDir = null)
    {
        home ??= Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        xdgRuntimeDir ??= Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        // Without XDG_RUNTIME_DIR (no login session, e.g. root over ssh or CI) fall back under the home.
        var runtimeParent = string.IsNullOrEmpty(xdgRuntimeDir) ? Path.Combine(home, ".cache") : xdgRuntimeDir;
        var runtimeBase = string.IsNullOrEmpty(xdgRuntimeDir) ? Path.Combine(home, ".cache", "virt", "run") : Path.Combine(xdgRuntimeDir, "virt");
        var configDir = Path.Combine(home, ".config", "virt", "qemu");
        var logDir = Path.Combine(home, ".cache", "virt", "log", "qemu");
        return new VirtPaths
        {
            Mode = RuntimeMode.Session,
            ConfigDir = configDir,
            RuntimeDir = Path.Combine(runtimeBase, "qemu"),
            LogDir = logDir,
            SocketDir = runtimeBase,
            Branches = [(Path.Combine(home, ".config"), configDir), (Path.Combine(home, ".config"), Path.Combine(home, ".config", "virt", "storage")),
                (runtimeParent, Path.Combine(runtimeBase, "qemu")), (Path.Combine(home, ".cache"), logDir)],
        };
    }

    public static VirtPaths System(string prefix = "/")
    {
        var configDir = Path.Combine(prefix, "etc/virt/qemu");
        var runtimeDir = Path.Combine(prefix, "run/virt/qemu");
        var logDir = Path.Combine(prefix, "var/log/virt/qemu");
        // Under a prefix (a staged install) the prefix and what lies below it are ours; without one, /etc, /run and
        // /var/log are the system's.
        var staged = prefix != "/";
        var stageBase = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(prefix)) ?? "/";
        return new VirtPaths
        {
            Mode = RuntimeMode.System,
            ConfigDir = configDir,
            RuntimeDir = runtimeDir,
            LogDir = logDir,
            SocketDir = Path.Combine(prefix, "run/virt"),
            Branches = staged
                ? [(stageBase, configDir), (stageBase, Path.Combine(prefix, "etc/virt/storage")), (stageBase, runtimeDir), (stageBase, logDir)]
                : [("/etc", configDir), ("/etc", "/etc/virt/storage"), ("/run", runtimeDir), ("/var/log", logDir)],
        };
    }

    public static VirtPaths Embed(string root)
    {
        var rootBase = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(root)) ?? root;
        var configDir = Path.Combine(root, "etc", "qemu");
        var runtimeDir = Path.Combine(root, "run", "qemu");
        var logDir = Path.Combine(root, "log", "qemu");
        return new VirtPaths
        {
            Mode = RuntimeMode.Embed,
            ConfigDir = configDir,
            RuntimeDir = runtimeDir,
            LogDir = logDir,
            Branches = [(rootBase, configDir), (rootBase, Path.Combine(root, "etc", "storage")), (rootBase, runtimeDir), (rootBase, logDir)],
        };
    }

    /// <summary>A private daemon tree (virtd --root DIR): the embed layout plus a socket directory.</summary>
    public static VirtPaths PrivateDaemon(string root) => Embed(root) with { Mode = RuntimeMode.Session, SocketDir = Path.Combine(root, "run") };

    /// <summary>True when <paramref name="path"/> is one of the tree's own directories or lies inside one.</summary>
    public bool Contains(string path)
    {
        var full = Path.GetFullPath(path);
        return new[] { ConfigDir, StorageDir, RuntimeDir, LogDir, SocketDir }.Any(dir => dir is not null
            && (full == Path.TrimEndingDirectorySeparator(dir) || full.StartsWith(Path.TrimEndingDirectorySeparator(dir) + "/", StringComparison.Ordinal)));
    }

    public static VirtPaths For(VirtUri uri) => uri.Mode switch
    {
        RuntimeMode.Session => Session(),
        RuntimeMode.System => System(),
        RuntimeMode.Embed => Embed(uri.EmbedRoot!),
        _ => throw new VirtException(ErrorCode.OperationInvalid, $"{uri} has no local paths"),
    };

    /// <summary>Refuses a tree whose sockets could not be bound, before anything is created.</summary>
    public void EnsureSocketPathsFit()
    {
        EnsureSocketPathFits(SocketPath, listening: true);
        EnsureSocketPathFits(ReadOnlySocketPath, listening: true);
        EnsureSocketPathFits(MonitorPath(99999), listening: false);
    }

    public static void EnsureSocketPathFits(string? path, bool listening)
    {
        var bytes = path is null ? 0 : global::System.Text.Encoding.UTF8.GetByteCount(path) + (listening ? SocketBindSuffix.Length : 0);
        if (bytes > MaxSocketPathBytes)
            throw new VirtException(ErrorCode.ConfigUnsupported,
                $"socket path '{path}' is longer than {MaxSocketPathBytes - (listening ? SocketBindSuffix.Length : 0)} bytes; choose a shorter root directory");
    }
}
