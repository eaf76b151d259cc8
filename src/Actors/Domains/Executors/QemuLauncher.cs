using Virt.Actors.Runtime;
using Virt.Protocol.Domains;
using Virt.Supervisor.CommandLine;
using Virt.Supervisor.Live;
using Virt.Supervisor.Network;
using Virt.Supervisor.Processes;
using Virt.Supervisor.Qmp;
using Virt.Supervisor.Save;
using Virt.Supervisor.Tpm;

namespace Virt.Actors.Domains.Executors;

/// <summary>
/// Everything a start does off the actor, in order: probe (cached), runtime directories, taps, argv, NVRAM, swtpm,
/// QEMU with -S, the live definition (autoport, pty paths, passwords), cont unless paused. It touches no actor state; a failure
/// after QEMU came up kills it.
/// </summary>
internal static class QemuLauncher
{
    /// <param name="restore">A save image to load (QEMU waits for it with -incoming defer) before the vCPUs run.</param>
    public static Task<(QemuProcess Process, DomainDefinition Live)> LaunchAsync(DomainRuntime runtime, DomainDefinition definition, int id, bool paused,
        QmpClientOptions options, CancellationToken ct, (string Path, SaveImage Image)? restore = null, string? incomingUri = null) => Task.Run(async () =>
    {
        var settings = runtime.Settings;
        var paths = settings.Paths;
        var emulator = DomainRuntime.ResolveEmulator(definition.Devices.Emulator ?? settings.DefaultEmulator);
        var caps = await runtime.Capabilities.GetAsync(emulator, ct).ConfigureAwait(false);
        var monitor = paths.MonitorPath(id);
        var runDir = paths.DomainRuntimeDir(id);
        Directory.CreateDirectory(paths.RuntimeDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Directory.CreateDirectory(runDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Directory.CreateDirectory(paths.LogDir);
        File.Delete(monitor); // a stale socket from a QEMU that died with its runtime
        QemuProcess process;
        DomainDefinition built;
        // The daemon's copies of the taps close once QEMU has its own: from then on the taps live as long as QEMU.
        using (var taps = GuestTaps.Open(definition, settings.Networks))
        {
            var context = new QemuArgvContext(monitor, runDir) { NvramDirectory = paths.NvramDir, TapDescriptors = taps.Descriptors, Incoming = restore is not null || incomingUri is not null };
            var command = QemuArgvBuilder.Build(definition, caps, context);
            built = NicDevices.WithAliases(taps.Named(command.Definition ?? definition));
            Supervisor.Firmware.NvramFiles.Prepare(built);
            var spec = new QemuLaunchSpec
            {
                Emulator = command.Emulator,
                Arguments = command.Arguments,
                LogPath = paths.DomainLogPath(definition.Name),
                MonitorPath = monitor,
                StartTimeout = settings.StartTimeout,
                DiesWithParent = settings.QemuDiesWithRuntime,
                InheritedDescriptors = taps.Inherited,
            };
            // swtpm first: QEMU connects to its socket at start-up. It ends with QEMU; only a QEMU that never came up leaves it waiting.
            int? swtpm = built.Devices.Tpms.FirstOrDefault() is { } tpm
                ? await Swtpm.StartAsync(tpm, paths.TpmStateDir(definition.Uuid), runDir, paths.TpmLogPath(definition.Name), ct).ConfigureAwait(false)
                : null;
            try
            {
                process = await QemuProcess.LaunchAsync(spec, options, ct).ConfigureAwait(false);
            }
            catch when (swtpm is { } orphan)
            {
                Swtpm.Kill(orphan);
                throw;
            }
        }
        try
        {
            // The live definition is what the guest really has: the implicit devices and addresses the build gave it.
            var live = await GraphicsAutoport.ResolveAsync(process.Qmp, built, settings.QmpTimeout, ct).ConfigureAwait(false);
            live = await ConsolePtys.ResolveAsync(process.Qmp, live, settings.QmpTimeout, ct).ConfigureAwait(false);
            await GraphicsPasswords.SetAsync(process.Qmp, live, settings.QmpTimeout, ct).ConfigureAwait(false);
            if (restore is { } image)
                await MigrationToFile.RestoreAsync(process.Qmp, image.Image, image.Path, Path.Combine(runDir, "migrate.sock"), settings.QmpTimeout, ct).ConfigureAwait(false);
            if (incomingUri is not null)
                await Supervisor.Migration.LiveMigration.ListenAsync(process.Qmp, incomingUri, settings.QmpTimeout, ct).ConfigureAwait(false);
            else if (!paused)
                await process.Qmp.ExecuteAsync("cont", null, settings.QmpTimeout, ct).ConfigureAwait(false);
            return (process, live);
        }
        catch
        {
            await QemuEnd.KillAndReleaseAsync(process).ConfigureAwait(false);
            throw;
        }
    }, CancellationToken.None);

    /// <summary>
    /// A QEMU a status file records, adopted by pid, start time and monitor; with its run state from query-status, and
    /// the live definition with its pty paths filled in when the status file lacks them (written before Virt kept them).
    /// </summary>
    public static Task<(QemuProcess Process, string RunState, DomainDefinition Live)> AdoptAsync(Supervisor.Status.DomainStatusFile status,
        DomainDefinition live, QmpClientOptions options, TimeSpan timeout) =>
        Task.Run(async () =>
        {
            var process = await QemuProcess.AdoptAsync(status.Pid, status.ProcessStartTime, status.MonitorPath, options).ConfigureAwait(false);
            try
            {
                var reply = await process.Qmp.ExecuteAsync("query-status", null, timeout).ConfigureAwait(false);
                if (ConsolePtys.Unresolved(live))
                    live = await ConsolePtys.ResolveAsync(process.Qmp, live, timeout, CancellationToken.None).ConfigureAwait(false);
                return (process, reply.GetProperty("status").GetString() ?? "", live);
            }
            catch
            {
                await process.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        });

    /// <summary>A reboot's system_reset then cont.</summary>
    public static async Task ResetAndContinueAsync(QmpClient qmp, TimeSpan timeout)
    {
        await qmp.ExecuteAsync("system_reset", null, timeout).ConfigureAwait(false);
        await qmp.ExecuteAsync("cont", null, timeout).ConfigureAwait(false);
    }
}
