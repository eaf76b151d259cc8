using Virt.Actors.Domains;
using Virt.Actors.Domains.Lifecycle;

namespace Virt.Actors.Tests.Domains.Lifecycle;

/// <summary>One job at a time: the others wait in arrival order, until their turn or their expiry.</summary>
public sealed class JobQueueTests
{
    private sealed record TestJob(JobKind Kind);

    [Fact]
    public void Requests_wait_behind_the_job_in_flight_and_run_in_arrival_order()
    {
        var jobs = new JobQueue<TestJob, string>();
        Assert.Null(jobs.Next());
        jobs.Begin(new TestJob(JobKind.Shutdown));
        jobs.Wait(1, "suspend");
        jobs.Wait(2, "resume");
        Assert.Null(jobs.Next()); // the shutdown still runs
        Assert.Throws<InvalidOperationException>(() => jobs.Begin(new TestJob(JobKind.Reset)));

        Assert.Equal(JobKind.Shutdown, jobs.End()!.Kind);
        Assert.Equal((1L, "suspend"), jobs.Next());
        jobs.Begin(new TestJob(JobKind.Suspend));
        Assert.Null(jobs.Next());
        jobs.End();
        Assert.Equal((2L, "resume"), jobs.Next());
        Assert.Null(jobs.Next());
    }

    [Fact]
    public void An_expired_request_leaves_the_queue_and_one_that_already_ran_is_not_found()
    {
        var jobs = new JobQueue<TestJob, string>();
        jobs.Begin(new TestJob(JobKind.Start));
        jobs.Wait(1, "a");
        jobs.Wait(2, "b");
        jobs.Wait(3, "c");
        Assert.Equal("b", jobs.Expire(2));
        Assert.Null(jobs.Expire(2));
        jobs.End();
        Assert.Equal((1L, "a"), jobs.Next());
        Assert.Null(jobs.Expire(1));
        Assert.Equal([(3L, "c")], jobs.TakeAll());
        Assert.Equal(0, jobs.Waiting);
    }

    [Fact]
    public void The_job_in_flight_can_change_but_only_while_there_is_one()
    {
        var jobs = new JobQueue<TestJob, string>();
        Assert.Throws<InvalidOperationException>(() => jobs.Update(new TestJob(JobKind.Shutdown)));
        jobs.Begin(new TestJob(JobKind.Shutdown));
        jobs.Update(new TestJob(JobKind.Reboot));
        Assert.Equal(JobKind.Reboot, jobs.Running!.Kind);
    }
}
