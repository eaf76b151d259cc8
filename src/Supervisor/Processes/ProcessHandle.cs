using System.Runtime.InteropServices;
using Virt.Protocol.Errors;
using Virt.Supervisor.Native;

namespace Virt.Supervisor.Processes;

/// <summary>
/// A pidfd on one process, watched for its exit by the shared <see cref="FdWatcher"/>. A child of ours is reaped with
/// waitid on the pidfd, which also yields its exit status; for another process only the exit is seen.
/// Signals go through the pidfd, so they can never hit a later process that reused the pid.
/// </summary>
internal sealed class ProcessHandle
{
    private readonly TaskCompletionSource<ProcessExit> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly int _pidfd;
    private readonly bool _reap;
    private readonly Lock _fdLock = new();
    private bool _closed;

    public int Pid { get; }
    public Task<ProcessExit> Exited => _exited.Task;

    private ProcessHandle(int pid, int pidfd, bool reap)
    {
        Pid = pid;
        _pidfd = pidfd;
        _reap = reap;
    }

    /// <summary>Watches a process. reap: it is our child and we collect its status (nobody else may).</summary>
    public static ProcessHandle Open(int pid, bool reap)
    {
        var pidfd = LibC.PidfdOpen(pid);
        if (pidfd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw errno == LibC.ESRCH
                ? new VirtException(ErrorCode.OperationFailed, $"process {pid} is not running")
                : new VirtException(ErrorCode.InternalError, $"pidfd_open({pid}) failed: {LibC.StrError(errno)}");
        }
        var handle = new ProcessHandle(pid, pidfd, reap);
        try
        {
            FdWatcher.Arm(pidfd, handle.OnExit);
        }
        catch (IOException e)
        {
            LibC.Close(pidfd);
            throw new VirtException(ErrorCode.InternalError, $"cannot watch process {pid}: {e.Message}", e);
        }
        return handle;
    }

    /// <summary>Sends a signal; false when the process has already exited.</summary>
    public bool Signal(int signal)
    {
        int errno;
        // Held so the exit callback cannot close the pidfd (and the number be reused) mid-call.
        lock (_fdLock)
        {
            if (_closed)
                return false;
            if (LibC.PidfdSendSignal(_pidfd, signal) == 0)
                return true;
            errno = Marshal.GetLastPInvokeError();
        }
        if (errno == LibC.ESRCH)
            return false;
        throw new VirtException(ErrorCode.OperationFailed, $"cannot send signal {signal} to process {Pid}: {LibC.StrError(errno)}");
    }

    /// <summary>Stops watching without waiting for exit; only for processes we do not reap.</summary>
    public void StopWatching()
    {
        if (_reap || !Close())
            return;
        _exited.TrySetCanceled();
    }

    /// <summary>On the watcher thread: the pidfd is readable, so the process has exited.</summary>
    private void OnExit()
    {
        ProcessExit exit;
        try
        {
            lock (_fdLock)
            {
                if (_closed)
                    return;
                exit = _reap ? Reap() : ProcessExit.Unknown;
            }
        }
        catch (Exception e)
        {
            Close();
            _exited.TrySetException(e);
            return;
        }
        Close();
        _exited.TrySetResult(exit);
    }

    /// <summary>Closes the pidfd once; false when it was closed already.</summary>
    private bool Close()
    {
        lock (_fdLock)
        {
            if (_closed)
                return false;
            _closed = true;
            FdWatcher.Disarm(_pidfd);
            LibC.Close(_pidfd);
            return true;
        }
    }

    private ProcessExit Reap()
    {
        var info = Marshal.AllocHGlobal(LibC.SigInfoSize);
        try
        {
            for (var i = 0; i < LibC.SigInfoSize; i++)
                Marshal.WriteByte(info, i, 0);
            int rc;
            do rc = LibC.WaitId(LibC.P_PIDFD, (uint)_pidfd, info, LibC.WEXITED);
            while (rc < 0 && Marshal.GetLastPInvokeError() == LibC.EINTR);
            if (rc < 0)
                return ProcessExit.Unknown; // someone else reaped it (ECHILD)
            // siginfo_t: si_code at offset 8, si_status at offset 24 (Linux, 64-bit).
            var code = Marshal.ReadInt32(info, 8);
            var status = Marshal.ReadInt32(info, 24);
            return code switch
            {
                LibC.CLD_EXITED => new ProcessExit(status, null, true),
                LibC.CLD_KILLED or LibC.CLD_DUMPED => new ProcessExit(null, status, true),
                _ => ProcessExit.Unknown,
            };
        }
        finally
        {
            Marshal.FreeHGlobal(info);
        }
    }
}
