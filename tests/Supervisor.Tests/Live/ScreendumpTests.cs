using System.Text.Json;
using Virt.Protocol.Api;
using Virt.Protocol.Errors;
using Virt.Supervisor.Live;
using Virt.Supervisor.Qmp;
using Virt.Supervisor.Tests.Qmp;
using Virt.TestSupport;

namespace Virt.Supervisor.Tests.Live;

/// <summary>Screendump against a scripted monitor: the file QEMU would write is read, refused when too large, never left behind.</summary>
public sealed class ScreendumpTests : IAsyncLifetime
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);
    private readonly TempDirectory _dir = new();
    private FakeQmpServer _server = null!;
    private QmpClient _qmp = null!;

    private string RuntimeDir => _dir.Combine("d1");

    public async Task InitializeAsync()
    {
        _server = new FakeQmpServer(_dir.Combine("qmp.sock"));
        var connecting = QmpClient.ConnectAsync(_server.Path);
        await _server.AcceptAndHandshakeAsync();
        _qmp = await connecting.WaitAsync(Guard);
    }

    public async Task DisposeAsync()
    {
        await _qmp.DisposeAsync();
        await _server.DisposeAsync();
        _dir.Dispose();
    }

    /// <summary>Plays QEMU: writes <paramref name="bytes"/> where it was told, answers, and hands back the arguments.</summary>
    private async Task<JsonElement> AnswerScreendumpAsync(int bytes)
    {
        var command = await _server.ReadCommandAsync().WaitAsync(Guard);
        Assert.Equal("screendump", command.GetProperty("execute").GetString());
        var arguments = command.GetProperty("arguments");
        await File.WriteAllBytesAsync(arguments.GetProperty("filename").GetString()!, new byte[bytes]);
        await _server.ReplyAsync(command, "{}");
        return arguments;
    }

    [Fact]
    public async Task Qemu_writes_a_png_in_the_runtime_directory_and_the_bytes_come_back_without_the_file()
    {
        var taking = Screendump.TakeAsync(_qmp, RuntimeDir, new ScreenTarget("video1", 0), Guard);
        var arguments = await AnswerScreendumpAsync(1234);
        Assert.Equal(1234, (await taking.WaitAsync(Guard)).Length);
        Assert.Equal("png", arguments.GetProperty("format").GetString());
        Assert.Equal(RuntimeDir, Path.GetDirectoryName(arguments.GetProperty("filename").GetString()));
        Assert.Equal(("video1", 0), (arguments.GetProperty("device").GetString(), arguments.GetProperty("head").GetInt32()));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(RuntimeDir));
        Assert.Empty(Directory.EnumerateFileSystemEntries(RuntimeDir));
    }

    [Fact]
    public async Task An_image_too_large_for_one_reply_is_refused_and_removed()
    {
        var taking = Screendump.TakeAsync(_qmp, RuntimeDir, ScreenTarget.Primary, Guard);
        var arguments = await AnswerScreendumpAsync(DomainReplies.ScreenshotImage.MaxBytes + 1);
        var e = await Assert.ThrowsAsync<VirtException>(() => taking.WaitAsync(Guard));
        Assert.Equal(ErrorCode.OperationFailed, e.Code);
        Assert.Contains($"at most {DomainReplies.ScreenshotImage.MaxBytes}", e.Message);
        Assert.False(arguments.TryGetProperty("device", out _));
        Assert.Empty(Directory.EnumerateFileSystemEntries(RuntimeDir));
    }
}
