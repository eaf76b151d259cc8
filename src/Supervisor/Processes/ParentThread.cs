using System.Collections.Concurrent;

namespace Virt.Supervisor.Processes;

/// <summary>
/// One thread that lives as long as this process and does every spawn of a child that must die with it. The kernel
/// sends PR_SET_PDEATHSIG when the forking thread ends, not the process: a pool thread that retires would kill the
/// child early, so such children are forked here.
/// </summary>
internal static class ParentThread
{
    private static readonly BlockingCollection<Action> Work = [];
    private static readonly Lazy<Thread> Thread = new(() =>
    {
        var thread = new Thread(() =>
        {
            foreach (var action in Work.GetConsumingEnumerable())
                action();
        })
        { IsBackground = true, Name = "virt parent thread" };
        thread.Start();
        return thread;
    });

    /// <summary>Runs <paramref name="spawn"/> on the parent thread and returns what it returned (or threw).</summary>
    public static Task<T> RunAsync<T>(Func<T> spawn)
    {
        _ = Thread.Value;
        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Work.Add(() =>
        {
            try
            {
                result.SetResult(spawn());
            }
            catch (Exception e)
            {
                result.SetException(e);
            }
        });
        return result.Task;
    }
}
