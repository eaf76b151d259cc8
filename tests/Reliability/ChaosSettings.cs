namespace Virt.Reliability.Tests;

/// <summary>How hard the fault tests push: quick defaults for the suite, environment variables for long runs by hand.</summary>
public static class ChaosSettings
{
    /// <summary>Daemon kill -9 rounds: VIRT_CHAOS_ROUNDS, else 5 (measured about 4 s a round on 2 cores, see RELIABILITY.md).</summary>
    public static int Rounds => int.TryParse(Environment.GetEnvironmentVariable("VIRT_CHAOS_ROUNDS"), out var n) && n > 0 ? n : 5;

    /// <summary>
    /// Fails on QEMUs orphaned by a kill between spawn and status file; the registry now kills those at start.
    /// VIRT_CHAOS_STRICT=0 only counts them, to measure an older build.
    /// </summary>
    public static bool Strict => Environment.GetEnvironmentVariable("VIRT_CHAOS_STRICT") != "0";

    /// <summary>VIRT_CHAOS_SEED replays a run's kill moments and operation order.</summary>
    public static int Seed => int.TryParse(Environment.GetEnvironmentVariable("VIRT_CHAOS_SEED"), out var s) ? s : Random.Shared.Next();
}
