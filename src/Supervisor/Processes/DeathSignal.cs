namespace Virt.Supervisor.Processes;

/// <summary>
/// Makes a child die with its parent: util-linux's setpriv sets PR_SET_PDEATHSIG to SIGKILL and execs the program in
/// place, so the pid, the file descriptors and the kill stay the program's own.
/// </summary>
internal static class DeathSignal
{
    public const string SetPriv = "/usr/bin/setpriv";

    public static bool Available => File.Exists(SetPriv);

    /// <summary>The argv (with argv[0]) that runs <paramref name="program"/> under setpriv.</summary>
    public static IReadOnlyList<string> Wrap(string program, IEnumerable<string> arguments) =>
        [SetPriv, "--pdeathsig", "KILL", "--", program, .. arguments];
}
