using System.CommandLine;
using Virt.Supervisor.TestGuest;

namespace Virt.Cli.Commands;

/// <summary>`virt test-guest-image PATH` (hidden): writes the tiny test guest the demo and the tests boot.</summary>
internal static class TestGuestImageCommand
{
    public static Command Create(CliContext context)
    {
        var path = new Argument<string>("path") { Description = "Where to write the 1 MiB raw image" };
        var command = new Command("test-guest-image", "Write the test guest image (a boot sector that prints a line and powers off on ACPI)")
        {
            path,
        };
        command.Hidden = true;
        command.SetAction((parse, ct) => Invocation.RunAsync(context, parse, async run =>
        {
            TestGuestImage.Write(parse.GetValue(path)!);
            await run.WriteAsync($"Test guest written to {parse.GetValue(path)} (ready line: {TestGuestImage.ReadyLine})\n");
            return ExitCodes.Ok;
        }));
        return command;
    }
}
