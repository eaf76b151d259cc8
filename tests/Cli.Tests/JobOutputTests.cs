using Virt.Cli.Output;
using Virt.Protocol.Api;
using static Virt.Protocol.Api.TypedParameter;

namespace Virt.Cli.Tests;

public sealed class JobOutputTests
{
    [Fact]
    public void No_job_is_one_line_and_a_running_save_is_virsh_s_layout()
    {
        Assert.Equal("Job type:         None        \n", JobText.Format(DomainJobs.JobStats.None, false, false));
        var stats = new DomainJobs.JobStats(DomainJobType.Unbounded,
        [
            Int(JobFields.Operation, 2), ULLong(JobFields.TimeElapsed, 123), ULLong(JobFields.Downtime, 300),
            ULLong(JobFields.DataTotal, 268435456), ULLong(JobFields.DataProcessed, 1536), ULLong(JobFields.DataRemaining, 268433920),
            ULLong(JobFields.MemoryTotal, 268435456), ULLong(JobFields.MemoryProcessed, 1536), ULLong(JobFields.MemoryRemaining, 268433920),
            ULLong(JobFields.MemoryDirtyRate, 0), ULLong(JobFields.MemoryIteration, 1),
        ]);
        Assert.Equal(
            "Job type:         Unbounded   \n" +
            "Operation:        Save        \n" +
            "Time elapsed:     123          ms\n" +
            "Data processed:   1.500 KiB\n" +
            "Data remaining:   255.999 MiB\n" +
            "Data total:       256.000 MiB\n" +
            "Memory processed: 1.500 KiB\n" +
            "Memory remaining: 255.999 MiB\n" +
            "Memory total:     256.000 MiB\n" +
            "Dirty rate:       0            pages/s\n" +
            "Iteration:        1           \n" +
            "Expected downtime: 300          ms\n", JobText.Format(stats, false, false));
    }

    [Fact]
    public void A_completed_job_prints_its_figures_only_when_asked_for_the_completed_one()
    {
        var done = new DomainJobs.JobStats(DomainJobType.Completed, [Int(JobFields.Operation, 2), ULLong(JobFields.TimeElapsed, 5)]);
        Assert.Equal("Job type:         Completed   \nOperation:        Save        \n", JobText.Format(done, false, false));
        Assert.EndsWith("Time elapsed:     5            ms\n", JobText.Format(done, true, false));
        Assert.Equal("\rSave: [ 42 %]", JobText.Progress("Save", 58, 100));
        Assert.Equal("\rSave: [ 99 %]", JobText.Progress("Save", 1, 1_000_000));
        Assert.Equal("\rSave: [100 %]", JobText.Progress("Save", 0, 100));
    }
}
