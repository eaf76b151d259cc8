using System.Diagnostics;
using System.Text.Json;
using Akka.Event;
using Akka.Actor;
using Virt.Actors.Domains.Lifecycle;
using Virt.Protocol.Api;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.Supervisor.Processes;
using Virt.Supervisor.Qmp;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Actors.Domains;

// Jobs: one at a time per domain; later requests wait (bounded) in arrival order.
public sealed partial class DomainActor
{
    /// <summary>A result about one QEMU incarnation; dropped when the actor has moved on to another.</summary>
    private abstract record IncarnationMessage(long Incarnation);

    private sealed record Launched(long Incarnation, QemuProcess Process, DomainDefinition Live) : IncarnationMessage(Incarnation);

    private sealed record LaunchFailed(long Incarnation, Exception Error) : IncarnationMessage(Incarnation);

    private sealed record Adopted(long Incarnation, QemuProcess Process, string QemuStatus, DomainDefinition Live) : IncarnationMessage(Incarnation);

    private sealed record AdoptFailed(long Incarnation, Exception Error) : IncarnationMessage(Incarnation);

    private sealed record QemuEventArrived(long Incarnation, QmpEvent Event) : IncarnationMessage(Incarnation);

    private sealed record ProcessExited(long Incarnation, ProcessExit Exit) : IncarnationMessage(Incarnation);

    private sealed record KillDone(long Incarnation, bool Gone, Exception? Error) : IncarnationMessage(Incarnation);

    private sealed record FakeRebootDone(long Incarnation, Exception? Error) : IncarnationMessage(Incarnation);

    /// <summary>A restart after a panic that waited for its backoff is due.</summary>
    private sealed record ResetDue(long Incarnation) : IncarnationMessage(Incarnation);

    private const string ResetTimerKey = "crash-restart";

    private sealed record JobDone(long Job, JsonElement Result, Exception? Error);

    private sealed record WaitExpired(long Ticket);

    private sealed record ShutdownWaitExpired(long Job);

    /// <summary>The job in flight: its kind for "busy" errors, who gets the answer, and what success means.</summary>
    private sealed record Job(JobKind Kind, IActorRef ReplyTo, long Token)
    {
        public Func<JsonElement, IDomainReply?>? Completed { get; init; }
        public Action? Failed { get; init; }
        /// <summary>The job ends well when the domain shuts off (shutdown with a wait, bounded by a timer).</summary>
        public bool SucceedsOnStop { get; init; }
        /// <summary>What domjobinfo calls the job; null for the short ones libvirt shows no job for.</summary>
        public DomainJobOperation? Operation { get; init; }
        /// <summary>Cancelled by domjobabort, for the jobs that can be aborted.</summary>
        public CancellationTokenSource? Abort { get; init; }
        public long StartedAt { get; } = Stopwatch.GetTimestamp();
        public ulong ElapsedMs => (ulong)Stopwatch.GetElapsedTime(StartedAt).TotalMilliseconds;
    }

    private sealed record Waiter(long Ticket, object Command, IActorRef ReplyTo);

    private static string WaitKey(long ticket) => $"wait-{ticket}";

    private static string ShutdownWaitKey(long job) => $"shutdown-{job}";

    private readonly JobQueue<Job, Waiter> _jobs = new();

    /// <summary>The job in flight, if any.</summary>
    private Job? InFlight => _jobs.Running;

    /// <summary>True when another job runs: the command then waits its turn (or times out as busy).</summary>
    private bool Busy(object command)
    {
        if (InFlight is null)
            return false;
        var ticket = NextToken();
        Timers.StartSingleTimer(WaitKey(ticket), new WaitExpired(ticket), Settings.JobWait);
        _jobs.Wait(ticket, new Waiter(ticket, command, _from));
        return true;
    }

    private Job BeginJob(JobKind kind, Func<JsonElement, IDomainReply?>? completed = null, Action? failed = null,
        DomainJobOperation? operation = null)
    {
        var job = new Job(kind, _from, NextToken())
        {
            Completed = completed,
            Failed = failed,
            Operation = operation,
            Abort = operation is DomainJobOperation.Save or DomainJobOperation.MigrationOut ? new CancellationTokenSource() : null,
        };
        _jobs.Begin(job);
        return job;
    }

    /// <summary>Answers the job's requester and frees the slot; the next waiter runs after this message.</summary>
    private void EndJob(IDomainReply reply)
    {
        if (_jobs.End() is not { } job)
            return;
        job.Abort?.Dispose();
        if (job.SucceedsOnStop)
            Timers.Cancel(ShutdownWaitKey(job.Token));
        job.ReplyTo.Tell(reply);
    }

    /// <summary>Runs one QMP command as the domain's job; the reply comes back as <see cref="JobDone"/>.</summary>
    private void RunQmp(RunningVm vm, JobKind kind, string command, object? arguments = null,
        Func<JsonElement, IDomainReply?>? completed = null, Action? failed = null)
    {
        if (BeginMonitorJob(vm, kind, completed, failed) is not var (job, process))
            return;
        var token = job.Token;
        process.Qmp.ExecuteAsync(command, arguments, Settings.QmpTimeout)
            .PipeTo(Self, success: r => new JobDone(token, r, null), failure: e => new JobDone(token, default, e));
    }

    /// <summary>Begins a job that needs QEMU's monitor; without one it ends at once with that error, and null is returned.</summary>
    private (Job Job, QemuProcess Process)? BeginMonitorJob(RunningVm vm, JobKind kind,
        Func<JsonElement, IDomainReply?>? completed = null, Action? failed = null)
    {
        var job = BeginJob(kind, completed, failed);
        if (vm.Process is { } process)
            return (job, process);
        EndJob(new ErrorReply(ErrorCode.OperationFailed, $"domain '{Name}' has no monitor connection"));
        return null;
    }

    private void CompleteJob(JobDone m)
    {
        if (InFlight is not { } job || job.Token != m.Job)
            return; // the job was ended meanwhile (destroy, stop): its late result means nothing now
        if (m.Error is { } error)
        {
            job.Failed?.Invoke();
            Log.Warning("Domain {Domain}: {Job} failed: {Error}", Name, job.Kind.Describe(), error.Message);
            EndJob(Failure(error));
        }
        else if (job.Completed is { } completed)
        {
            var reply = completed(m.Result);
            // A completion may keep the job open (shutdown with a wait ends at the stop).
            if (reply is not null)
                EndJob(reply);
        }
        else
        {
            EndJob(Summary());
        }
    }

    private void PumpQueue()
    {
        while (_jobs.Next() is { Request: var first })
        {
            Timers.Cancel(WaitKey(first.Ticket));
            _from = first.ReplyTo;
            _behavior(first.Command);
        }
    }

    private void ExpireWaiter(long ticket)
    {
        if (_jobs.Expire(ticket) is not { } expired)
            return;
        var busyWith = InFlight?.Kind.Describe() ?? "another job";
        expired.ReplyTo.Tell(new ErrorReply(ErrorCode.OperationTimeout,
            $"domain '{Name}' is busy with {busyWith}; gave up after {Settings.JobWait.TotalSeconds:0.###} s"));
    }

    /// <summary>Ends the job in flight with an error (destroy, QEMU gone); waiters stay queued for the next state.</summary>
    private void AbortJob(string why)
    {
        if (InFlight is { } job)
        {
            job.Failed?.Invoke();
            EndJob(new ErrorReply(ErrorCode.OperationFailed, $"{job.Kind.Describe()} of domain '{Name}' did not complete: {why}"));
        }
    }

    private void FailAllRequests(ErrorReply error)
    {
        if (InFlight is not null)
            EndJob(error);
        foreach (var (ticket, waiter) in _jobs.TakeAll())
        {
            Timers.Cancel(WaitKey(ticket));
            waiter.ReplyTo.Tell(error);
        }
        if (_vm is not null)
        {
            foreach (var w in _vm.DestroyWaiters)
                w.Tell(error);
            _vm.DestroyWaiters.Clear();
        }
    }
}
