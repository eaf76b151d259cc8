using System.Globalization;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.Supervisor.Native;
using Virt.Supervisor.Processes;

namespace Virt.Supervisor.Tpm;

/// <summary>
/// The swtpm behind a guest's emulated TPM. It daemonizes once its control socket listens, so it is never our child
/// (nothing to reap), and --terminate ends it when QEMU's connection goes: QEMU's death, however it comes, ends it.
/// Only a QEMU that never connected leaves it waiting, and a failed start kills it by the pid it wrote.
/// </summary>
public static class Swtpm
{
    public const string Program = "swtpm";

    /// <summary>The control socket QEMU connects to, in the domain's runtime directory (the argv builder names it too).</summary>
    public static string SocketPath(string runtimeDirectory) => Path.Combine(runtimeDirectory, "swtpm.sock");

    public static string PidPath(string runtimeDirectory) => Path.Combine(runtimeDirectory, "swtpm.pid");

    /// <summary>Starts swtpm on the domain's state directory and returns its pid once its socket is listening.</summary>
    public static async Task<int> StartAsync(TpmDevice tpm, string stateDirectory, string runtimeDirectory, string logPath, CancellationToken ct)
    {
        var program = ExecutablePath.Find(Program) ?? throw new VirtException(ErrorCode.ConfigUnsupported,
            "<tpm> with backend 'emulator' needs swtpm, which is not installed (Debian's package: swtpm)");
        var tpm2 = tpm.Version != "1.2";
        var state = Path.Combine(stateDirectory, tpm2 ? "tpm2" : "tpm1.2");
        Directory.CreateDirectory(state, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var socket = SocketPath(runtimeDirectory);
        var pidFile = PidPath(runtimeDirectory);
        File.Delete(socket);
        File.Delete(pidFile);
        List<string> argv =
        [
            program, "socket", "--daemon", "--terminate",
            "--ctrl", $"type=unixio,path={socket},mode=0600",
            "--tpmstate", $"dir={state},mode=0600",
            "--pid", $"file={pidFile}",
            "--log", $"file={logPath}",
        ];
        if (tpm2)
            argv.Add("--tpm2");
        var launcher = PosixSpawn.SpawnDetached(program, argv, ProcessControl.BuildEnvironment(null), logPath);
        // The launcher exits as soon as the daemon is listening (or has failed); waiting for it is brief.
        var status = await Task.Run(() =>
        {
            while (LibC.WaitPid(launcher, out var s, 0) < 0)
            {
                if (System.Runtime.InteropServices.Marshal.GetLastPInvokeError() != LibC.EINTR)
                    return -1;
            }
            return 0;
        }, ct).ConfigureAwait(false);
        var pid = ReadPid(pidFile);
        if (status != 0 || pid is null || !File.Exists(socket))
        {
            if (pid is { } stray)
                Kill(stray);
            var tail = QemuLog.ReadTail(logPath, 0);
            throw new VirtException(ErrorCode.OperationFailed,
                $"swtpm did not start for the guest's TPM; log {logPath}:\n{(tail.Count == 0 ? "no output" : string.Join("\n", tail))}");
        }
        return pid.Value;
    }

    /// <summary>Ends a swtpm a QEMU never connected to; one that has a QEMU ends with it.</summary>
    public static void Kill(int pid) => LibC.Kill(pid, LibC.SIGKILL);

    private static int? ReadPid(string pidFile)
    {
        try
        {
            return int.TryParse(File.ReadAllText(pidFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid > 1 ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
