using System.Diagnostics;

namespace Virt.TestSupport.Fuzzing;

/// <summary>What one fuzz run did: how many inputs, how many were refused, for how long, from which seed.</summary>
public sealed record FuzzResult(string Target, long Iterations, long Rejected, TimeSpan Elapsed, int Seed)
{
    public override string ToString() =>
        $"fuzz {Target}: {Iterations} inputs ({Rejected} refused) in {Elapsed.TotalSeconds:F1} s, seed {Seed}";
}

/// <summary>An input broke a fuzz property: an unexpected exception, or no answer within the per-input bound.</summary>
public sealed class FuzzFailure(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Feeds generated inputs to a target for a time budget. A watchdog thread fails the run when one input takes
/// longer than its bound, so a hang is reported with the input instead of stalling the suite.
/// </summary>
public static class FuzzLoop
{
    /// <summary>The budget: VIRT_FUZZ_SECONDS when set (long runs by hand), else the quick default.</summary>
    public static TimeSpan Budget(double quickSeconds = 3)
    {
        var text = Environment.GetEnvironmentVariable("VIRT_FUZZ_SECONDS");
        return double.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : TimeSpan.FromSeconds(quickSeconds);
    }

    /// <summary>VIRT_FUZZ_SEED replays a failing run; otherwise a fresh seed, printed with every result.</summary>
    public static int Seed() =>
        int.TryParse(Environment.GetEnvironmentVariable("VIRT_FUZZ_SEED"), out var seed) ? seed : Random.Shared.Next();

    /// <param name="generate">Makes the next input from the run's random source.</param>
    /// <param name="target">Runs one input; returns true when it was accepted, false when refused as expected.</param>
    /// <param name="isExpectedRefusal">The exceptions that count as a proper refusal; anything else fails the run.</param>
    /// <param name="describe">Shows an input in a failure message.</param>
    public static FuzzResult Run<T>(string name, Func<Random, T> generate, Func<T, bool> target,
        Func<Exception, bool> isExpectedRefusal, Func<T, string> describe, TimeSpan? budget = null, TimeSpan? perInput = null)
    {
        var seed = Seed();
        var limit = budget ?? Budget();
        var bound = perInput ?? TimeSpan.FromSeconds(5);
        var random = new Random(seed);
        long iterations = 0, rejected = 0;
        long inputStarted = 0; // Stopwatch ticks when the current input began, 0 between inputs
        T current = default!;
        Exception? failure = null;
        var clock = Stopwatch.StartNew();
        var done = new ManualResetEventSlim();

        var worker = new Thread(() =>
        {
            try
            {
                while (clock.Elapsed < limit)
                {
                    current = generate(random);
                    Volatile.Write(ref inputStarted, Math.Max(1, clock.ElapsedTicks));
                    try
                    {
                        if (!target(current))
                            rejected++;
                    }
                    catch (Exception e) when (isExpectedRefusal(e))
                    {
                        rejected++;
                    }
                    catch (Exception e)
                    {
                        failure = new FuzzFailure($"{name}: {e.GetType().Name}: {e.Message} (seed {seed}, input #{iterations}):\n{Describe(describe, current)}", e);
                        return;
                    }
                    Volatile.Write(ref inputStarted, 0);
                    iterations++;
                }
            }
            catch (Exception e)
            {
                failure = new FuzzFailure($"{name}: the generator failed (seed {seed}): {e.Message}", e);
            }
            finally
            {
                done.Set();
            }
        })
        { IsBackground = true, Name = "fuzz " + name };
        worker.Start();

        while (!done.Wait(50))
        {
            var started = Volatile.Read(ref inputStarted);
            if (started != 0 && TimeSpan.FromTicks((long)((clock.ElapsedTicks - started) * (TimeSpan.TicksPerSecond / (double)Stopwatch.Frequency))) > bound)
            {
                // The worker is abandoned (a background thread); the failure names the input that hung.
                throw new FuzzFailure($"{name}: one input ran longer than {bound.TotalSeconds} s (seed {seed}, input #{iterations}):\n{Describe(describe, current)}");
            }
        }
        if (failure is not null)
            throw failure;
        return new FuzzResult(name, iterations, rejected, clock.Elapsed, seed);
    }

    private static string Describe<T>(Func<T, string> describe, T input)
    {
        var text = describe(input);
        return text.Length > 4000 ? text[..4000] + $"... ({text.Length} chars)" : text;
    }
}
