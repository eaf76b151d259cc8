using System.CommandLine;
using System.Globalization;
using Virt.Cli.Output;
using Virt.Protocol.Errors;
using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Cli.Commands;

/// <summary>`virt screenshot DOM [FILE] [--screen N]`: a PNG of the running domain's display, saved where virsh saves it.</summary>
internal static class ScreenshotCommand
{
    /// <summary>virsh's name when no FILE is given: DOM-YYYY-MM-DD-HH:MM:SS.png in local time.</summary>
    public static string DefaultFileName(string domain, DateTimeOffset localNow, string mimeType) =>
        $"{domain}-{localNow.ToString("yyyy'-'MM'-'dd'-'HH':'mm':'ss", CultureInfo.InvariantCulture)}{Extension(mimeType)}";

    private static string Extension(string mimeType) => mimeType switch
    {
        ScreenshotImage.Png => ".png",
        "image/x-portable-pixmap" => ".ppm",
        _ => "",
    };

    public static Command Create(CliContext context)
    {
        var domain = DomainArgument.Create();
        var file = new Argument<string?>("file") { Description = "Where to store the screenshot", Arity = ArgumentArity.ZeroOrOne };
        var screen = new Option<uint>("--screen") { Description = "The screen to take: heads of every video device, counted in order" };
        var command = new Command("screenshot", "Take a screenshot of a running domain's display and store it in a file") { domain, file, screen };
        command.SetAction((parse, ct) => Invocation.RunAsync(context, parse, async run =>
        {
            var dom = DomainArgument.Get(parse, domain);
            await using var connection = await run.ConnectAsync(ct);
            var summary = await connection.CallAsync<DomainSummary>(new LookupDomain(dom), ct);
            ScreenshotImage image;
            try
            {
                image = await connection.CallAsync<ScreenshotImage>(new TakeScreenshot(dom, checked((int)parse.GetValue(screen))), ct);
            }
            catch (VirtException)
            {
                // virsh names the domain as typed, then the reason.
                await context.Error.WriteLineAsync($"error: could not take a screenshot of {parse.GetValue(domain)}");
                throw;
            }
            var path = parse.GetValue(file) ?? DefaultFileName(summary.Name.Value, context.Clock.GetLocalNow(), image.MimeType);
            await SaveAsync(path, image.Data, ct);
            await run.WriteAsync(
                () => run.Quiet ? "" : $"Screenshot saved to {path}, with type of {image.MimeType}",
                () => JsonOutput.Document(w =>
                {
                    w.WriteStartObject();
                    w.WriteString("file", path);
                    w.WriteString("mimeType", image.MimeType);
                    w.WriteNumber("bytes", image.Data.Length);
                    w.WriteEndObject();
                }));
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>Created (0666 less the umask) or overwritten, as virsh does; a file this run created is removed if the write fails.</summary>
    private static async Task SaveAsync(string path, byte[] data, CancellationToken ct)
    {
        var created = !File.Exists(path);
        try
        {
            await using var stream = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.Create,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite
                    | UnixFileMode.OtherRead | UnixFileMode.OtherWrite,
            });
            await stream.WriteAsync(data, ct);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (created)
                File.Delete(path);
            throw new IOException($"cannot create file {path}: {e.Message}", e);
        }
    }
}
