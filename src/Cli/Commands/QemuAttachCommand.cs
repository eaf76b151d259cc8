using System.CommandLine;
using Virt.Cli.Output;
using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Cli.Commands;

/// <summary>`virt qemu-attach PID`: hand a QEMU started by something else to the runtime (virsh qemu-attach).</summary>
internal static class QemuAttachCommand
{
    public static Command Create(CliContext context)
    {
        var pid = new Argument<int>("pid") { Description = "The process id of a qemu-system process started with a QMP monitor (-qmp unix:PATH,server=on,wait=off)" };
        var command = new Command("qemu-attach", "Attach to a QEMU process that was started outside Virt") { pid };
        command.SetAction((parse, ct) => Invocation.RunAsync(context, parse, async run =>
        {
            await using var connection = await run.ConnectAsync(ct);
            var summary = await connection.CallAsync<DomainSummary>(new AttachDomain(parse.GetValue(pid)), ct);
            await run.WriteAsync(() => $"Domain '{summary.Name}' attached to pid {parse.GetValue(pid)}\n", () => DomainJson.Summary(summary));
            return ExitCodes.Ok;
        }));
        return command;
    }
}
