namespace Virt.Supervisor.Processes;

/// <summary>Everything needed to start one QEMU process.</summary>
public sealed record QemuLaunchSpec
{
    /// <summary>Path of the emulator binary, or a name looked up in PATH.</summary>
    public required string Emulator { get; init; }
    /// <summary>argv without argv[0].</summary>
    public required IReadOnlyList<string> Arguments { get; init; }
    /// <summary>Domain log file; QEMU's stdout and stderr are appended to it.</summary>
    public required string LogPath { get; init; }
    /// <summary>QMP socket QEMU creates itself (server=on,wait=off).</summary>
    public required string MonitorPath { get; init; }
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>QEMU gets SIGKILL when this process dies however it dies (`virt run`); otherwise it outlives us (virtd).</summary>
    public bool DiesWithParent { get; init; }
    /// <summary>Variables set on top of the daemon's environment; null inherits it unchanged.</summary>
    public IReadOnlyDictionary<string, string>? Environment { get; init; }
    /// <summary>Descriptors QEMU inherits (taps): the daemon's, close-on-exec, and the number QEMU finds each at.</summary>
    public IReadOnlyList<(int Parent, int Child)> InheritedDescriptors { get; init; } = [];
}

/// <summary>How a process ended. For a process we did not spawn only the fact of exit is known.</summary>
public sealed record ProcessExit(int? ExitCode, int? Signal, bool StatusKnown)
{
    public static ProcessExit Unknown { get; } = new(null, null, false);

    public override string ToString() =>
        !StatusKnown ? "exited (status unknown)"
        : Signal is { } s ? $"killed by signal {s}"
        : $"exited with code {ExitCode}";
}
