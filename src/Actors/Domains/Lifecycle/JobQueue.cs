namespace Virt.Actors.Domains.Lifecycle;

/// <summary>
/// A domain's requests that wait for the job in flight: one job at a time, the others in arrival order, each with a
/// ticket its expiry names. Pure bookkeeping; the actor runs the jobs, the timers and the replies.
/// </summary>
/// <typeparam name="TJob">The job in flight, as the actor describes it.</typeparam>
/// <typeparam name="TRequest">A waiting request: the command and who asked.</typeparam>
internal sealed class JobQueue<TJob, TRequest>
    where TJob : class
{
    // Made on the first wait: most domains never queue anything, and there is one queue per domain.
    private LinkedList<(long Ticket, TRequest Request)>? _waiting;

    /// <summary>The job in flight, if any.</summary>
    public TJob? Running { get; private set; }

    public int Waiting => _waiting?.Count ?? 0;

    public void Begin(TJob job)
    {
        if (Running is { } running)
            throw new InvalidOperationException($"a job is already in flight: {running}");
        Running = job;
    }

    /// <summary>The job in flight, changed (a shutdown that now waits for the stop).</summary>
    public void Update(TJob job) => Running = Running is not null ? job : throw new InvalidOperationException("no job is in flight");

    /// <summary>Frees the slot; returns the job that held it.</summary>
    public TJob? End()
    {
        var job = Running;
        Running = null;
        return job;
    }

    /// <summary>Queues a request behind the job in flight.</summary>
    public void Wait(long ticket, TRequest request) => (_waiting ??= new()).AddLast((ticket, request));

    /// <summary>The next request to run, once no job is in flight; null while one is, or when none waits.</summary>
    public (long Ticket, TRequest Request)? Next()
    {
        if (Running is not null || _waiting?.First is not { } first)
            return null;
        _waiting!.RemoveFirst();
        return first.Value;
    }

    /// <summary>The request whose wait ran out, taken out of the queue; null when it already ran.</summary>
    public TRequest? Expire(long ticket)
    {
        for (var node = _waiting?.First; node is not null; node = node.Next)
        {
            if (node.Value.Ticket == ticket)
            {
                _waiting!.Remove(node);
                return node.Value.Request;
            }
        }
        return default;
    }

    /// <summary>Every waiting request, taken out (the actor fails them all: it is stopping or restarting).</summary>
    public IReadOnlyList<(long Ticket, TRequest Request)> TakeAll()
    {
        if (_waiting is null)
            return [];
        var all = _waiting.ToList();
        _waiting.Clear();
        return all;
    }
}
