using System.Text.Json.Nodes;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.Supervisor.CommandLine;
using Virt.Supervisor.Qmp;

namespace Virt.Supervisor.Live;

/// <summary>Which display a screenshot shows: QEMU's default console, or a video device's head.</summary>
public sealed record ScreenTarget(string? Device, int Head)
{
    public static readonly ScreenTarget Primary = new(null, 0);
}

/// <summary>
/// A PNG of a domain's display through QMP screendump: QEMU writes the file into the domain's runtime directory
/// (owned by the daemon, never a path a client names), the daemon reads it and removes it.
/// </summary>
public static class Screendump
{
    public const string NoScreens = "no screens to take screenshot from";
    public const string NoSuchScreen = "no such screen ID";

    /// <summary>libvirt's numbering: screen N counts the heads of every video device in order.</summary>
    public static ScreenTarget Target(DomainDefinition live, int screen)
    {
        // Model none is never combined with another video device (the command line refuses it).
        var videos = DefaultVideo.Of(live);
        if (videos.Count == 0 || videos[0].ModelType == "none")
            throw new VirtException(ErrorCode.OperationInvalid, NoScreens);
        if (screen == 0)
            return ScreenTarget.Primary;
        var remaining = screen;
        for (var i = 0; i < videos.Count; i++)
        {
            var heads = videos[i].Heads ?? 1;
            if (remaining < heads)
                return new ScreenTarget(DefaultVideo.Id(i), remaining);
            remaining -= heads;
        }
        throw new VirtException(ErrorCode.OperationInvalid, NoSuchScreen);
    }

    /// <summary>Has QEMU write the PNG into <paramref name="runtimeDir"/>, then returns its bytes; the file never stays.</summary>
    public static async Task<byte[]> TakeAsync(QmpClient qmp, string runtimeDir, ScreenTarget target, TimeSpan timeout, CancellationToken ct = default)
    {
        // An attached QEMU's domain may have no runtime directory of ours yet.
        Directory.CreateDirectory(runtimeDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var file = Path.Combine(runtimeDir, $"screendump-{Guid.NewGuid():N}.png");
        var arguments = new JsonObject { ["filename"] = file, ["format"] = "png" };
        if (target.Device is { } device)
        {
            arguments["device"] = device;
            arguments["head"] = target.Head;
        }
        try
        {
            await qmp.ExecuteAsync("screendump", arguments, timeout, ct).ConfigureAwait(false);
            var length = new FileInfo(file).Length;
            if (length > Protocol.Api.DomainReplies.ScreenshotImage.MaxBytes)
                throw new VirtException(ErrorCode.OperationFailed,
                    $"the screenshot is {length} bytes; one reply carries at most {Protocol.Api.DomainReplies.ScreenshotImage.MaxBytes}");
            return await File.ReadAllBytesAsync(file, ct).ConfigureAwait(false);
        }
        catch (FileNotFoundException)
        {
            throw new VirtException(ErrorCode.OperationFailed, "QEMU wrote no screenshot file");
        }
        finally
        {
            File.Delete(file);
        }
    }
}
