using Virt.Protocol.Connection;
using Virt.Protocol.Errors;

namespace Virt.Supervisor.Paths;

/// <summary>Where one runtime keeps configs, runtime state, logs and sockets (ARCHITECTURE.md "Paths").</summary>
public sealed record VirtPaths
{
    /// <summary>A UNIX socket path holds at most 107 bytes plus the terminating NUL.</summary>
    public const int MaxSocketPathBytes = 107;

    public required RuntimeMode Mode { get; init; }
    public required string ConfigDir { get; init; }
    public required string RuntimeDir { get; init; }
    public required string LogDir { get; init; }
    /// <summary>Directory of the daemon's sockets and lock; null for an embedded runtime.</summary>
    public string? SocketDir { get; init; }

    public string AutostartDir => Path.Combine(ConfigDir, "autostart");
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
        var runtimeBase = string.IsNullOrEmpty(xdgRuntimeDir) ? Path.Combine(home, ".cache", "virt", "run") : Path.Combine(xdgRuntimeDir, "virt");
        return new VirtPaths
        {
            Mode = RuntimeMode.Session,
            ConfigDir = Path.Combine(home, ".config", "virt", "qemu"),
            RuntimeDir = Path.Combine(runtimeBase, "qemu"),
            LogDir = Path.Combine(home, ".cache", "virt", "log", "qemu"),
            SocketDir = runtimeBase,
        };
    }

    public static VirtPaths System(string prefix = "/") => new()
    {
        Mode = RuntimeMode.System,
        ConfigDir = Path.Combine(prefix, "etc/virt/qemu"),
        RuntimeDir = Path.Combine(prefix, "run/virt/qemu"),
        LogDir = Path.Combine(prefix, "var/log/virt/qemu"),
        SocketDir = Path.Combine(prefix, "run/virt"),
    };

    public static VirtPaths Embed(string root) => new()
    {
        Mode = RuntimeMode.Embed,
        ConfigDir = Path.Combine(root, "etc", "qemu"),
        RuntimeDir = Path.Combine(root, "run", "qemu"),
        LogDir = Path.Combine(root, "log", "qemu"),
    };

    /// <summary>A private daemon tree (virtd --root DIR): the embed layout plus a socket directory.</summary>
    public static VirtPaths PrivateDaemon(string root) => Embed(root) with { Mode = RuntimeMode.Session, SocketDir = Path.Combine(root, "run") };

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
        foreach (var path in new[] { SocketPath, ReadOnlySocketPath, MonitorPath(99999) })
        {
            if (path is not null && global::System.Text.Encoding.UTF8.GetByteCount(path) > MaxSocketPathBytes)
                throw new VirtException(ErrorCode.ConfigUnsupported,
                    $"socket path '{path}' is longer than {MaxSocketPathBytes} bytes; choose a shorter root directory");
        }
    }
}
