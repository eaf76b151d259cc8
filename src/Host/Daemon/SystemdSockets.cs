using System.Globalization;
using System.Net.Sockets;
using Virt.Supervisor.Native;

namespace Virt.Host.Daemon;

/// <summary>
/// systemd's socket activation (sd_listen_fds): the listening sockets systemd made and passed as descriptors 3, 4, ...
/// with LISTEN_PID naming this process. Clients that connect while the daemon starts or restarts wait in the socket's
/// backlog instead of finding no socket. Each is matched to the daemon's socket table by the path it is bound to.
/// </summary>
public static class SystemdSockets
{
    private const int FirstDescriptor = 3;

    /// <summary>The passed sockets by their bound path; empty when systemd passed none (or passed them to another process).</summary>
    public static IReadOnlyDictionary<string, Socket> Take()
    {
        var sockets = new Dictionary<string, Socket>(StringComparer.Ordinal);
        var pid = Environment.GetEnvironmentVariable("LISTEN_PID");
        var count = Environment.GetEnvironmentVariable("LISTEN_FDS");
        // Consumed once: the programs this daemon starts (QEMU) must not take them for their own.
        Environment.SetEnvironmentVariable("LISTEN_PID", null);
        Environment.SetEnvironmentVariable("LISTEN_FDS", null);
        Environment.SetEnvironmentVariable("LISTEN_FDNAMES", null);
        if (pid is null || count is null
            || !int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out var listenPid) || listenPid != Environment.ProcessId
            || !int.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            return sockets;
        for (var fd = FirstDescriptor; fd < FirstDescriptor + n; fd++)
        {
            NativeFiles.SetCloseOnExec(fd);
            var socket = new Socket(new SafeSocketHandle(fd, ownsHandle: true));
            if (socket.AddressFamily == AddressFamily.Unix && socket.LocalEndPoint?.ToString() is { Length: > 0 } path)
                sockets[path] = socket;
            else
                throw new IOException($"systemd passed descriptor {fd}, which is not a listening UNIX socket with a path");
        }
        return sockets;
    }
}
