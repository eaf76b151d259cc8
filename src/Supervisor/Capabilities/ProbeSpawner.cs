using System.ComponentModel;
using System.Diagnostics;
using Virt.Protocol.Errors;
using Virt.Supervisor.Processes;

namespace Virt.Supervisor.Capabilities;

/// <summary>
/// Starts a probe QEMU that dies with the process that probes: QEMU does not quit when its stdio monitor reaches EOF,
/// so a probing program killed with SIGKILL would leave it running forever. setpriv --pdeathsig asks the kernel for
/// SIGKILL when the parent goes; the kernel means the forking thread, so a thread of our own forks and lives until
/// the probe is over (a pool thread could retire mid-probe and take the QEMU with it).
/// </summary>
internal sealed class ProbeSpawner : IDisposable
{
    private readonly ManualResetEventSlim _done = new();
    private readonly TaskCompletionSource<Process> _process = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ProbeSpawner()
    {
    }

    /// <summary>Completes with the started process, or faults with the reason it could not start.</summary>
    public Task<Process> Process => _process.Task;

    public static ProbeSpawner Start(string path, IReadOnlyList<string> arguments)
    {
        var spawner = new ProbeSpawner();
        var thread = new Thread(() => spawner.Run(path, arguments)) { IsBackground = true, Name = "qemu probe spawner" };
        thread.Start();
        return spawner;
    }

    private void Run(string path, IReadOnlyList<string> arguments)
    {
        try
        {
            _process.SetResult(Spawn(path, arguments));
        }
        catch (Exception e)
        {
            _process.SetException(e);
            return;
        }
        _done.Wait();
    }

    private static Process Spawn(string path, IReadOnlyList<string> arguments)
    {
        // Through setpriv an exec failure would surface as an early EOF; say it plainly, as a direct start would.
        const UnixFileMode anyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        if ((File.GetUnixFileMode(path) & anyExecute) == 0)
            throw new VirtException(ErrorCode.OperationFailed, $"cannot start emulator {path}: the file is not executable");
        var wrapped = DeathSignal.Available;
        var argv = wrapped ? DeathSignal.Wrap(path, arguments) : [path, .. arguments];
        var info = new ProcessStartInfo(argv[0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in argv.Skip(1))
            info.ArgumentList.Add(argument);
        try
        {
            return System.Diagnostics.Process.Start(info) ?? throw new VirtException(ErrorCode.OperationFailed, $"cannot start emulator {path}");
        }
        catch (Win32Exception e)
        {
            throw new VirtException(ErrorCode.OperationFailed, $"cannot start emulator {path}: {e.Message}", e);
        }
    }

    /// <summary>Lets the spawning thread end; call after the probe QEMU is gone.</summary>
    public void Dispose()
    {
        _done.Set();
        if (_process.Task.IsCompletedSuccessfully)
            _process.Task.Result.Dispose();
    }
}
