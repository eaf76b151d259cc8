using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Virt.Supervisor.Qmp;
using Virt.TestSupport;

namespace Virt.Supervisor.Tests.Qmp;

/// <summary>The QMP client against a real, paused qemu-system-x86_64.</summary>
public sealed class QmpClientQemuTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Greeting_and_query_status_of_a_guest_started_with_S()
    {
        using var dir = new TempDirectory();
        await using var qemu = await QemuTestProcess.StartPausedAsync(dir.Path);
        await using var client = await QmpClient.ConnectAsync(qemu.QmpSocket);

        Assert.Equal(7, client.Greeting.Version.Major);
        Assert.Equal(2, client.Greeting.Version.Minor);
        Assert.Contains("oob", client.Greeting.Capabilities);
        Assert.True(client.IsConnected);

        var status = await client.ExecuteAsync("query-status");
        Assert.False(status.GetProperty("running").GetBoolean());
        // -S leaves the guest in "prelaunch" until the first cont: paused, never run.
        Assert.Equal("prelaunch", status.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Cont_stop_and_powerdown_produce_their_events_in_order()
    {
        using var dir = new TempDirectory();
        await using var qemu = await QemuTestProcess.StartPausedAsync(dir.Path);
        var seenByCallback = new ConcurrentQueue<string>();
        await using var client = await QmpClient.ConnectAsync(qemu.QmpSocket, new QmpClientOptions
        {
            OnEvent = e => seenByCallback.Enqueue(e.Name),
        });
        await using var events = client.ReadEventsAsync().GetAsyncEnumerator();

        await client.ExecuteAsync("cont");
        var resume = await NextEventAsync(events, "RESUME");
        Assert.True(resume.Timestamp > DateTimeOffset.UtcNow.AddDays(-1));
        Assert.Equal("running", (await client.ExecuteAsync("query-status")).GetProperty("status").GetString());

        await client.ExecuteAsync("stop");
        await NextEventAsync(events, "STOP");
        var stopped = await client.ExecuteAsync("query-status");
        Assert.Equal("paused", stopped.GetProperty("status").GetString());
        Assert.False(stopped.GetProperty("running").GetBoolean());

        await client.ExecuteAsync("cont");
        await NextEventAsync(events, "RESUME");
        await client.ExecuteAsync("system_powerdown");
        await NextEventAsync(events, "POWERDOWN");

        Assert.Equal(["RESUME", "STOP", "RESUME", "POWERDOWN"], seenByCallback.Where(n => n is "RESUME" or "STOP" or "POWERDOWN"));
    }

    [Fact]
    public async Task Quit_gives_SHUTDOWN_then_the_connection_completes_and_later_commands_fail_at_once()
    {
        using var dir = new TempDirectory();
        await using var qemu = await QemuTestProcess.StartPausedAsync(dir.Path);
        Exception? closedWith = new InvalidOperationException("OnClosed not called");
        var closedCalls = 0;
        var client = await QmpClient.ConnectAsync(qemu.QmpSocket, new QmpClientOptions
        {
            OnClosed = e => { closedWith = e; Interlocked.Increment(ref closedCalls); },
        });
        await using var _ = client;
        await using var events = client.ReadEventsAsync().GetAsyncEnumerator();

        try
        {
            await client.ExecuteAsync("quit");
        }
        catch (QmpConnectionException)
        {
            // QEMU may exit before its reply to quit reaches us; both are a successful quit.
        }
        var shutdown = await NextEventAsync(events, "SHUTDOWN");
        Assert.Equal("host-qmp-quit", shutdown.Data.GetProperty("reason").GetString());
        Assert.False(shutdown.Data.GetProperty("guest").GetBoolean());

        await client.Completion.WaitAsync(Guard);
        Assert.False(client.IsConnected);
        Assert.Null(client.CloseError);
        Assert.Null(closedWith);
        Assert.Equal(1, closedCalls);
        Assert.False(await events.MoveNextAsync(), "the event stream ends with the connection");

        var late = await Assert.ThrowsAsync<QmpConnectionException>(() => client.ExecuteAsync("query-status"));
        Assert.Contains("query-status", late.Message);
        Assert.Contains("closed", late.Message);
        await qemu.WaitForExitAsync(new CancellationTokenSource(Guard).Token);
    }

    [Fact]
    public async Task Error_replies_carry_class_and_description_and_the_connection_stays_usable()
    {
        using var dir = new TempDirectory();
        await using var qemu = await QemuTestProcess.StartPausedAsync(dir.Path);
        await using var client = await QmpClient.ConnectAsync(qemu.QmpSocket);

        var unknown = await Assert.ThrowsAsync<QmpCommandException>(() => client.ExecuteAsync("no-such-command"));
        Assert.Equal("CommandNotFound", unknown.Class);
        Assert.Equal("no-such-command", unknown.Command);
        Assert.Contains("no-such-command", unknown.Message);
        Assert.Equal(Virt.Protocol.Errors.ErrorCode.OperationFailed, unknown.Code);

        var badArgs = await Assert.ThrowsAsync<QmpCommandException>(() => client.ExecuteAsync("qom-list-types", new { bogus = 1 }));
        Assert.Equal("GenericError", badArgs.Class);
        Assert.Contains("bogus", badArgs.Description);

        Assert.True((await client.ExecuteAsync("query-kvm")).TryGetProperty("enabled", out _));
    }

    [Fact]
    public async Task Arguments_as_anonymous_object_dictionary_JsonObject_and_JsonElement_reach_QEMU()
    {
        using var dir = new TempDirectory();
        await using var qemu = await QemuTestProcess.StartPausedAsync(dir.Path);
        await using var client = await QmpClient.ConnectAsync(qemu.QmpSocket);

        var anonymous = await client.ExecuteAsync("qom-list-types", new { implements = "accel", @abstract = false });
        var dictionary = await client.ExecuteAsync("qom-list-types", new Dictionary<string, object?> { ["implements"] = "accel" });
        var node = await client.ExecuteAsync("qom-list-types", new JsonObject { ["implements"] = "accel" });
        using var doc = JsonDocument.Parse("""{"implements": "accel"}""");
        var element = await client.ExecuteAsync("qom-list-types", doc.RootElement);
        foreach (var result in new[] { anonymous, dictionary, node, element })
            Assert.Contains("tcg-accel", result.EnumerateArray().Select(t => t.GetProperty("name").GetString()));

        // Hyphenated argument names need a dictionary; HMP output proves the argument arrived.
        var hmp = await client.ExecuteAsync("human-monitor-command", new Dictionary<string, object?> { ["command-line"] = "info version" });
        Assert.StartsWith("7.2", hmp.GetString());

        await Assert.ThrowsAsync<ArgumentException>(() => client.ExecuteAsync("qom-list-types", "not an object"));
    }

    [Fact]
    public async Task Many_concurrent_commands_each_get_their_own_reply()
    {
        using var dir = new TempDirectory();
        await using var qemu = await QemuTestProcess.StartPausedAsync(dir.Path);
        await using var client = await QmpClient.ConnectAsync(qemu.QmpSocket);

        var statuses = Enumerable.Range(0, 40).Select(i => i % 2 == 0
            ? client.ExecuteAsync("query-status").ContinueWith(t => t.Result.GetProperty("status").GetString() ?? "")
            : client.ExecuteAsync("query-kvm").ContinueWith(t => t.Result.GetProperty("present").ValueKind.ToString()));
        var results = await Task.WhenAll(statuses);
        for (var i = 0; i < results.Length; i++)
            Assert.Equal(i % 2 == 0 ? "prelaunch" : "True", results[i]);
    }

    [Fact]
    public async Task Works_over_stdio_pipes_too()
    {
        var info = new System.Diagnostics.ProcessStartInfo(QemuTestProcess.Binary)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-machine", "none", "-nodefaults", "-display", "none", "-S", "-qmp", "stdio" })
            info.ArgumentList.Add(arg);
        using var process = System.Diagnostics.Process.Start(info)!;
        process.BeginErrorReadLine();
        try
        {
            await using var client = await QmpClient.ConnectAsync(process.StandardOutput.BaseStream, process.StandardInput.BaseStream);
            Assert.Equal(7, client.Greeting.Version.Major);
            Assert.False((await client.ExecuteAsync("query-status")).GetProperty("running").GetBoolean());
            try
            {
                await client.ExecuteAsync("quit");
            }
            catch (QmpConnectionException)
            {
                // QEMU may exit before its reply to quit is read.
            }
            await client.Completion.WaitAsync(Guard);
            await process.WaitForExitAsync(new CancellationTokenSource(Guard).Token);
        }
        finally
        {
            if (!process.HasExited)
                process.Kill();
            await process.WaitForExitAsync(new CancellationTokenSource(Guard).Token);
        }
    }

    [Fact]
    public async Task Connecting_to_a_missing_socket_is_a_connection_error_naming_the_path()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("absent.sock");
        var error = await Assert.ThrowsAsync<QmpConnectionException>(() => QmpClient.ConnectAsync(path));
        Assert.Contains(path, error.Message);
    }

    internal static async Task<QmpEvent> NextEventAsync(IAsyncEnumerator<QmpEvent> events, string name)
    {
        while (await events.MoveNextAsync().AsTask().WaitAsync(Guard))
        {
            if (events.Current.Name == name)
                return events.Current;
        }
        throw new Xunit.Sdk.XunitException($"event stream ended before {name}");
    }
}
