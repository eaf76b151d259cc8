using System.Text;
using System.Text.Json;
using Virt.Supervisor.Qmp;
using Virt.TestSupport;

namespace Virt.Supervisor.Tests.Qmp;

/// <summary>The QMP client against a server on a real UNIX socket that misbehaves on purpose.</summary>
public sealed class QmpClientProtocolTests : IAsyncLifetime
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new();
    private FakeQmpServer _server = null!;

    public Task InitializeAsync()
    {
        _server = new FakeQmpServer(_dir.Combine("fake.sock"));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _dir.Dispose();
    }

    private async Task<QmpClient> ConnectAsync(QmpClientOptions? options = null)
    {
        var connecting = QmpClient.ConnectAsync(_server.Path, options);
        await _server.AcceptAndHandshakeAsync();
        return await connecting.WaitAsync(Guard);
    }

    [Fact]
    public async Task Garbage_fails_every_pending_command_and_ends_the_connection()
    {
        Exception? closedWith = null;
        await using var client = await ConnectAsync(new QmpClientOptions { OnClosed = e => closedWith = e });
        var first = client.ExecuteAsync("query-status");
        var second = client.ExecuteAsync("query-kvm");
        await _server.ReadCommandAsync();
        await _server.ReadCommandAsync();

        await _server.SendAsync("{\"return\": this is not json");

        var e1 = await Assert.ThrowsAsync<QmpConnectionException>(() => first.WaitAsync(Guard));
        var e2 = await Assert.ThrowsAsync<QmpConnectionException>(() => second.WaitAsync(Guard));
        Assert.Contains("query-status", e1.Message);
        Assert.Contains("query-kvm", e2.Message);
        Assert.Contains("malformed JSON", e1.Message);
        await client.Completion.WaitAsync(Guard);
        Assert.IsType<QmpConnectionException>(client.CloseError);
        Assert.Same(client.CloseError, closedWith);
        await Assert.ThrowsAsync<QmpConnectionException>(() => client.ExecuteAsync("query-status"));
    }

    [Fact]
    public async Task A_message_that_is_not_an_object_is_malformed()
    {
        await using var client = await ConnectAsync();
        var pending = client.ExecuteAsync("query-status");
        await _server.ReadCommandAsync();
        await _server.SendAsync("[1, 2, 3]");
        var error = await Assert.ThrowsAsync<QmpConnectionException>(() => pending.WaitAsync(Guard));
        Assert.Contains("not a JSON object", error.Message);
    }

    [Fact]
    public async Task Close_before_the_greeting_fails_connect()
    {
        var connecting = QmpClient.ConnectAsync(_server.Path);
        await _server.AcceptAsync();
        _server.CloseConnection();
        var error = await Assert.ThrowsAsync<QmpConnectionException>(() => connecting.WaitAsync(Guard));
        Assert.Contains("greeting", error.Message);
    }

    [Fact]
    public async Task Garbage_instead_of_the_greeting_fails_connect()
    {
        var connecting = QmpClient.ConnectAsync(_server.Path);
        await _server.AcceptAsync();
        await _server.SendAsync("""{"hello": "I am not QEMU"}""");
        var error = await Assert.ThrowsAsync<QmpConnectionException>(() => connecting.WaitAsync(Guard));
        Assert.Contains("expected a QMP greeting", error.Message);
    }

    [Fact]
    public async Task Close_after_the_greeting_fails_connect_while_negotiating()
    {
        var connecting = QmpClient.ConnectAsync(_server.Path);
        await _server.AcceptAsync();
        await _server.SendAsync(FakeQmpServer.Greeting);
        Assert.Equal("qmp_capabilities", (await _server.ReadCommandAsync()).GetProperty("execute").GetString());
        _server.CloseConnection();
        var error = await Assert.ThrowsAsync<QmpConnectionException>(() => connecting.WaitAsync(Guard));
        Assert.Contains("qmp_capabilities", error.Message);
        Assert.Contains("EOF", error.Message);
    }

    [Fact]
    public async Task A_silent_server_times_out_the_connect()
    {
        var connecting = QmpClient.ConnectAsync(_server.Path, new QmpClientOptions { ConnectTimeout = TimeSpan.FromMilliseconds(200) });
        await _server.AcceptAsync();
        var error = await Assert.ThrowsAsync<QmpTimeoutException>(() => connecting.WaitAsync(Guard));
        Assert.Contains("greeting", error.Message);
        Assert.Equal(Virt.Protocol.Errors.ErrorCode.OperationTimeout, error.Code);
    }

    [Fact]
    public async Task EOF_mid_command_fails_every_pending_command_with_a_clean_close()
    {
        var closed = new TaskCompletionSource<Exception?>();
        await using var client = await ConnectAsync(new QmpClientOptions { OnClosed = e => closed.TrySetResult(e) });
        var first = client.ExecuteAsync("stop");
        var second = client.ExecuteAsync("cont");
        await _server.ReadCommandAsync();
        await _server.ReadCommandAsync();
        _server.CloseConnection();

        var e1 = await Assert.ThrowsAsync<QmpConnectionException>(() => first.WaitAsync(Guard));
        var e2 = await Assert.ThrowsAsync<QmpConnectionException>(() => second.WaitAsync(Guard));
        Assert.Contains("'stop'", e1.Message);
        Assert.Contains("'cont'", e2.Message);
        Assert.Contains("EOF", e1.Message);
        Assert.Null(await closed.Task.WaitAsync(Guard));
        Assert.Null(client.CloseError);
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task EOF_inside_a_message_is_an_error_not_a_clean_close()
    {
        await using var client = await ConnectAsync();
        var pending = client.ExecuteAsync("query-status");
        var command = await _server.ReadCommandAsync();
        await _server.SendRawAsync(Encoding.UTF8.GetBytes("{\"return\": {\"status\": \"runn"));
        _server.CloseConnection();
        var error = await Assert.ThrowsAsync<QmpConnectionException>(() => pending.WaitAsync(Guard));
        Assert.Contains("middle of a message", error.Message);
        Assert.NotNull(client.CloseError);
        Assert.Equal("query-status", command.GetProperty("execute").GetString());
    }

    [Fact]
    public async Task An_unanswered_command_times_out_alone_and_the_next_one_still_works()
    {
        await using var client = await ConnectAsync();
        var slow = client.ExecuteAsync("query-status", timeout: TimeSpan.FromMilliseconds(200));
        var slowCommand = await _server.ReadCommandAsync();

        var timeout = await Assert.ThrowsAsync<QmpTimeoutException>(() => slow.WaitAsync(Guard));
        Assert.Contains("'query-status'", timeout.Message);
        Assert.Contains("200 ms", timeout.Message);
        Assert.True(client.IsConnected);

        var next = client.ExecuteAsync("query-kvm");
        var nextCommand = await _server.ReadCommandAsync();
        // The late reply to the timed-out id is dropped; the next id gets its own reply.
        await _server.ReplyAsync(slowCommand, "\"late\"");
        await _server.ReplyAsync(nextCommand, "\"on time\"");
        Assert.Equal("on time", (await next.WaitAsync(Guard)).GetString());
    }

    [Fact]
    public async Task Default_command_timeout_comes_from_the_options()
    {
        await using var client = await ConnectAsync(new QmpClientOptions { CommandTimeout = TimeSpan.FromSeconds(1.5) });
        var pending = client.ExecuteAsync("query-status");
        await _server.ReadCommandAsync();
        var timeout = await Assert.ThrowsAsync<QmpTimeoutException>(() => pending.WaitAsync(Guard));
        Assert.Contains("1.5 s", timeout.Message);
    }

    [Fact]
    public async Task Cancellation_cancels_only_that_command()
    {
        await using var client = await ConnectAsync();
        using var cts = new CancellationTokenSource();
        var cancelled = client.ExecuteAsync("query-status", ct: cts.Token);
        await _server.ReadCommandAsync();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(Guard));

        var next = client.ExecuteAsync("query-kvm");
        await _server.ReplyAsync(await _server.ReadCommandAsync(), "{\"enabled\": false}");
        Assert.False((await next.WaitAsync(Guard)).GetProperty("enabled").GetBoolean());
    }

    [Fact]
    public async Task Replies_out_of_order_are_matched_by_id()
    {
        await using var client = await ConnectAsync();
        var names = new[] { "a", "b", "c", "d" };
        var calls = names.Select(n => client.ExecuteAsync("echo-" + n)).ToArray();
        var received = new List<JsonElement>();
        foreach (var _ in names)
            received.Add(await _server.ReadCommandAsync());

        foreach (var command in received.AsEnumerable().Reverse())
            await _server.ReplyAsync(command, JsonSerializer.Serialize(command.GetProperty("execute").GetString()));

        var results = await Task.WhenAll(calls).WaitAsync(Guard);
        Assert.Equal(names.Select(n => "echo-" + n), results.Select(r => r.GetString()));
        Assert.Equal(received.Count, received.Select(c => c.GetProperty("id").GetRawText()).Distinct().Count());
    }

    [Fact]
    public async Task Error_reply_becomes_a_command_exception()
    {
        await using var client = await ConnectAsync();
        var pending = client.ExecuteAsync("device_add", new Dictionary<string, object?> { ["driver"] = "nope", ["id"] = "x" });
        var command = await _server.ReadCommandAsync();
        Assert.Equal("nope", command.GetProperty("arguments").GetProperty("driver").GetString());
        await _server.SendAsync($$$"""{"id": {{{command.GetProperty("id").GetRawText()}}}, "error": {"class": "GenericError", "desc": "boom"}}""");
        var error = await Assert.ThrowsAsync<QmpCommandException>(() => pending.WaitAsync(Guard));
        Assert.Equal("GenericError", error.Class);
        Assert.Equal("boom", error.Description);
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task A_huge_reply_arrives_intact()
    {
        await using var client = await ConnectAsync();
        var pending = client.ExecuteAsync("query-qmp-schema");
        var command = await _server.ReadCommandAsync();
        var big = new string('x', 8 * 1024 * 1024);
        await _server.ReplyAsync(command, "\"" + big + "\"");
        Assert.Equal(big, (await pending.WaitAsync(Guard)).GetString());
    }

    [Fact]
    public async Task A_reply_over_the_size_limit_ends_the_connection()
    {
        await using var client = await ConnectAsync(new QmpClientOptions { MaxMessageBytes = 64 * 1024 });
        var pending = client.ExecuteAsync("query-qmp-schema");
        var command = await _server.ReadCommandAsync();
        var send = _server.ReplyAsync(command, "\"" + new string('x', 1024 * 1024) + "\"");
        var error = await Assert.ThrowsAsync<QmpConnectionException>(() => pending.WaitAsync(Guard));
        Assert.Contains("longer than 65536 bytes", error.Message);
        await client.Completion.WaitAsync(Guard);
        Assert.False(client.IsConnected);
        // The server's write ends one way or the other once the client hangs up; it must not hang.
        await send.WaitAsync(Guard).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    [Fact]
    public async Task Events_keep_order_and_the_oldest_are_dropped_past_capacity()
    {
        var callbackSaw = 0;
        await using var client = await ConnectAsync(new QmpClientOptions
        {
            EventBufferCapacity = 4,
            OnEvent = e => { Interlocked.Increment(ref callbackSaw); throw new InvalidOperationException("bad subscriber"); },
        });
        for (var i = 0; i < 10; i++)
            await _server.SendAsync($$$"""{"event": "TICK", "data": {"n": {{{i}}}}, "timestamp": {"seconds": 1700000000, "microseconds": {{{i}}}}}""");
        // The reply is read after every event, so all ten have been delivered once it returns.
        var barrier = client.ExecuteAsync("query-status");
        await _server.ReplyAsync(await _server.ReadCommandAsync(), "{}");
        await barrier.WaitAsync(Guard);
        await client.DisposeAsync();

        var kept = new List<QmpEvent>();
        await foreach (var e in client.ReadEventsAsync().WithCancellation(new CancellationTokenSource(Guard).Token))
            kept.Add(e);
        Assert.Equal(10, callbackSaw);
        Assert.Equal([6, 7, 8, 9], kept.Select(e => e.Data.GetProperty("n").GetInt32()));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000000).AddTicks(90), kept[^1].Timestamp);
    }

    [Fact]
    public async Task Dispose_fails_pending_commands_and_completes()
    {
        var client = await ConnectAsync();
        var pending = client.ExecuteAsync("query-status");
        await _server.ReadCommandAsync();
        await client.DisposeAsync();
        var error = await Assert.ThrowsAsync<QmpConnectionException>(() => pending.WaitAsync(Guard));
        Assert.Contains("closed", error.Message);
        Assert.True(client.Completion.IsCompleted);
        await Assert.ThrowsAsync<QmpConnectionException>(() => client.ExecuteAsync("query-status"));
    }

    [Fact]
    public async Task A_descriptor_travels_in_one_message_with_its_command_line()
    {
        await using var client = await ConnectAsync();
        var (kept, passed) = Virt.Supervisor.Native.FdPassing.SocketPair();
        using (kept)
        using (passed)
        {
            var getfd = client.ExecuteWithFdAsync("getfd", new { fdname = "graphicsfd" }, passed);
            _server.SocketReceiveTimeout(10_000);
            var (text, fd) = await Task.Run(_server.ReceiveWithFd).WaitAsync(Guard);
            Assert.NotNull(fd);
            var command = JsonDocument.Parse(text).RootElement;
            Assert.EndsWith("\n", text);
            Assert.Equal("getfd", command.GetProperty("execute").GetString());
            Assert.Equal("graphicsfd", command.GetProperty("arguments").GetProperty("fdname").GetString());
            using (fd)
            {
                // It is the passed end of the pair: bytes written at the kept end arrive on it.
                using var received = new System.Net.Sockets.Socket(new System.Net.Sockets.SafeSocketHandle(fd.DangerousGetHandle(), ownsHandle: false));
                using var other = new System.Net.Sockets.Socket(new System.Net.Sockets.SafeSocketHandle(kept.DangerousGetHandle(), ownsHandle: false));
                other.Send("ping"u8);
                var buffer = new byte[4];
                Assert.Equal(4, received.Receive(buffer));
                Assert.Equal("ping", Encoding.ASCII.GetString(buffer));
            }
            await _server.ReplyAsync(command, "{}");
            await getfd.WaitAsync(Guard);
            // Plain commands still share the stream afterwards.
            var status = client.ExecuteAsync("query-status");
            await _server.ReplyAsync(await _server.ReadCommandAsync(), """{"status": "running"}""");
            Assert.Equal("running", (await status.WaitAsync(Guard)).GetProperty("status").GetString());
        }
    }
}
