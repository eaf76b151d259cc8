using Virt.Protocol.Errors;

namespace Virt.Host.Daemon;

/// <summary>
/// One daemon per tree: an exclusive lock on a file in the runtime directory, held for the daemon's
/// life. The kernel drops it when the process dies, so a killed daemon never blocks its successor.
/// </summary>
public sealed class DaemonLock : IDisposable
{
    private readonly FileStream _file;

    private DaemonLock(FileStream file) => _file = file;

    public string Path => _file.Name;

    public static DaemonLock Acquire(string path)
    {
        FileStream file;
        try
        {
            // FileShare.None takes an exclusive flock() on Linux.
            file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            var holder = TryReadPid(path);
            throw new VirtException(ErrorCode.OperationInvalid,
                $"another virtd already serves this tree (lock {path} is held{(holder is null ? "" : $" by pid {holder}")})");
        }
        catch (UnauthorizedAccessException e)
        {
            throw new VirtException(ErrorCode.OperationDenied, $"cannot open the lock file {path}: {e.Message}", e);
        }
        // Readers cannot open the locked file itself (.NET takes a shared flock), so the pid goes beside it.
        File.WriteAllText(PidPath(path), Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return new DaemonLock(file);
    }

    private static string PidPath(string lockPath) => lockPath + ".pid";

    private static int? TryReadPid(string path)
    {
        try
        {
            return int.TryParse(File.ReadAllText(PidPath(path)).Trim(), out var pid) ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    public void Dispose() => _file.Dispose();
}
