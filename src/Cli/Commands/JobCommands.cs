using System.CommandLine;
using Virt.Cli.Output;
using Virt.Protocol.Api;
using Virt.Protocol.Client;
using static Virt.Protocol.Api.DomainJobs;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Cli.Commands;

/// <summary>virsh's domjobinfo and domjobabort, and the progress --verbose prints while a save runs.</summary>
internal static class JobCommands
{
    public static IEnumerable<Command> Create(CliContext context) => [DomJobInfo(context), DomJobAbort(context)];

    private static Command DomJobInfo(CliContext context)
    {
        var completed = new Option<bool>("--completed") { Description = "The figures of the job that finished last" };
        var keep = new Option<bool>("--keep-completed") { Description = "Keep those figures for the next reader" };
        var anyStats = new Option<bool>("--anystats") { Description = "Print the figures of any kind of job, even a failed one" };
        var raw = new Option<bool>("--rawstats") { Description = "Print the parameters as the daemon sent them" };
        return DomainVerb.Create(context, "domjobinfo", "The domain's long job (a save, a start, a snapshot) and its progress",
            [completed, keep, anyStats, raw], async (run, connection, dom, ct) =>
            {
                if (run.Parse.GetValue(keep) && !run.Parse.GetValue(completed))
                    throw new UsageException("Option --keep-completed requires option --completed");
                var flags = (run.Parse.GetValue(completed) ? DomainJobStatsFlags.Completed : 0)
                    | (run.Parse.GetValue(keep) ? DomainJobStatsFlags.KeepCompleted : 0);
                var stats = await connection.CallAsync<JobStats>(new GetJobStats(dom, flags), ct);
                await run.WriteAsync(
                    () => run.Parse.GetValue(raw) ? JobText.Raw(stats) : JobText.Format(stats, run.Parse.GetValue(completed), run.Parse.GetValue(anyStats)),
                    () => JsonOutput.Document(w =>
                    {
                        w.WriteStartObject();
                        w.WriteString("type", JobText.TypeName(stats.Type));
                        foreach (var field in stats.Fields)
                            w.WriteString(field.Field, field.ValueText);
                        w.WriteEndObject();
                    }));
            });
    }

    private static Command DomJobAbort(CliContext context)
    {
        var postcopy = new Option<bool>("--postcopy") { Description = "Interrupt a post-copy migration (Virt runs none)" };
        return DomainVerb.Create(context, "domjobabort", "Abort the domain's long job; the domain is left as it was", [postcopy],
            async (run, connection, dom, ct) =>
            {
                if (run.Parse.GetValue(postcopy))
                    throw new Protocol.Errors.VirtException(Protocol.Errors.ErrorCode.OperationInvalid,
                        "current job is not outgoing migration in post-copy mode");
                await connection.CallAsync<DomainSummary>(new AbortJob(dom), ct);
                await run.WriteAsync(() => "", () => "{}\n");
            });
    }

    /// <summary>
    /// Runs <paramref name="work"/> while, with <paramref name="verbose"/>, printing virsh's progress line to stderr
    /// every half second from the domain's job figures, and "[100 %]" once it succeeded.
    /// </summary>
    public static async Task<T> WatchAsync<T>(Invocation run, VirtConnection connection, DomainRef dom, string label, bool verbose,
        Func<Task<T>> work, CancellationToken ct)
    {
        var task = work();
        if (!verbose)
            return await task;
        while (await Task.WhenAny(task, Task.Delay(TimeSpan.FromMilliseconds(500), ct)) != task)
        {
            try
            {
                var info = DomainJobInfo.Of(await connection.CallAsync<JobStats>(new GetJobStats(dom), ct));
                if (info.DataTotal > 0)
                    await run.Context.Error.WriteAsync(JobText.Progress(label, info.DataRemaining, info.DataTotal));
            }
            catch (Protocol.Errors.VirtException)
            {
                // As virsh: a poll that fails (the domain already shut off) prints nothing.
            }
        }
        var result = await task;
        await run.Context.Error.WriteAsync(JobText.Progress(label, 0, 1));
        return result;
    }
}
