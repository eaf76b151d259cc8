using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Virt.Host.Sockets;
using Virt.Protocol.Errors;
using Virt.Protocol.Wire;
using Virt.TestSupport;

namespace Virt.Host.Tests.Sockets;

public sealed class UnixSocketServerTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private readonly TestSessions _sessions = new();
    private UnixSocketServer _server = null!;
    private string SocketPath => _dir.Combine("s");

    private SocketServerOptions Options => new() { Path = SocketPath, MaxCallsInFlight = 4, MaxQueuedEvents = 64, MaxFrameBytes = 64 * 1024 };

    public Task InitializeAsync() => StartAsync(Options);

    private async Task StartAsync(SocketServerOptions options)
    {
        if (_server is not null)
            await _server.DisposeAsync();
        _server = new UnixSocketServer(options, _sessions, NullLogger.Instance);
        _server.Start();
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _dir.Dispose();
    }

    private static JsonElement Json(object value) => JsonSerializer.SerializeToElement(value);

    private async Task AssertServerStillAnswersAsync()
    {
        await using var client = await WireClient.ConnectUnixAsync(SocketPath);
        var reply = await client.CallAsync("echo", Json("still here"), TimeSpan.FromSeconds(10));
        Assert.Equal("still here", reply!.Value.GetString());
    }

    [Fact]
    public async Task Calls_are_answered_and_errors_keep_their_code()
    {
        await using var client = await WireClient.ConnectUnixAsync(SocketPath);
        Assert.Equal(42, (await client.CallAsync("echo", Json(42)))!.Value.GetInt32());

        var e = await Assert.ThrowsAsync<VirtException>(() => client.CallAsync("fail", null));
        Assert.Equal((ErrorCode.NoDomain, "domain 'ghost' not found"), (e.Code, e.Message));

        var crash = await Assert.ThrowsAsync<VirtException>(() => client.CallAsync("crash", null));
        Assert.Equal(ErrorCode.InternalError, crash.Code);
        Assert.Contains("boom", crash.Message);
    }

    [Fact]
    public async Task Replies_may_overtake_a_slow_call()
    {
        await using var client = await WireClient.ConnectUnixAsync(SocketPath);
        var slow = client.CallAsync("slow", Json("slow"));
        var fast = await client.CallAsync("echo", Json("fast"));
        Assert.Equal("fast", fast!.Value.GetString());
        Assert.False(slow.IsCompleted);
        _sessions.ReleaseSlow.SetResult();
        Assert.Equal("slow", (await slow)!.Value.GetString());
    }

    [Fact]
    public async Task The_peer_uid_comes_from_the_kernel()
    {
        await using var client = await WireClient.ConnectUnixAsync(SocketPath);
        var who = (await client.CallAsync("whoami", null))!.Value;
        Assert.Equal(Environment.ProcessId, who.GetProperty("Pid").GetInt32());
        Assert.Equal(geteuid(), who.GetProperty("Uid").GetUInt32());
    }

    [Fact]
    public async Task Another_uid_is_refused_on_a_session_socket()
    {
        await StartAsync(Options with { AllowedUid = geteuid() + 1 });
        await using var client = await WireClient.ConnectUnixAsync(SocketPath);
        var e = await Assert.ThrowsAsync<VirtException>(() => client.CallAsync("echo", Json(1), TimeSpan.FromSeconds(10)));
        Assert.Equal(ErrorCode.OperationDenied, e.Code);
        Assert.Contains("may not connect", e.Message);
    }

    [Fact]
    public async Task Calls_beyond_the_in_flight_cap_wait_for_a_slot_and_none_fails()
    {
        await using var client = await WireClient.ConnectUnixAsync(SocketPath);
        var held = Enumerable.Range(0, 4).Select(i => client.CallAsync("slow", Json(i))).ToList();
        await AssertEventuallyAsync(() => _sessions.Dispatched == 4);
        var waiting = client.CallAsync("echo", Json(99));
        await Task.Delay(300);
        // Not read while every slot is busy: neither answered nor failed.
        Assert.False(waiting.IsCompleted);
        Assert.Equal(4, _sessions.Dispatched);
        _sessions.ReleaseSlow.SetResult();
        Assert.Equal(99, (await waiting.WaitAsync(TimeSpan.FromSeconds(10)))!.Value.GetInt32());
        await Task.WhenAll(held);
    }

    [Fact]
    public async Task Ten_thousand_pipelined_calls_are_all_answered_none_refused()
    {
        await using var client = await WireClient.ConnectUnixAsync(SocketPath);
        var calls = Enumerable.Range(0, 10_000).Select(i => client.CallAsync("echo", Json(i), TimeSpan.FromSeconds(60))).ToList();
        var replies = await Task.WhenAll(calls);
        Assert.Equal(Enumerable.Range(0, 10_000), replies.Select(r => r!.Value.GetInt32()));
    }

    [Fact]
    public async Task A_client_that_never_reads_its_replies_is_read_no_further_and_loses_no_call_when_it_reads_again()
    {
        using var raw = await ConnectRawAsync();
        raw.ReceiveBufferSize = 4096;
        // 2,000 calls of 16 KiB replies (32 MB in all), written from a task: the server stops reading, so the writes block.
        var frames = Enumerable.Range(1, 2000).Select(i =>
            FrameCodec.Encode(new WireEnvelope { Type = MessageType.Call, Serial = i, Procedure = "big", Body = Json(16 * 1024) })).ToList();
        var writer = Task.Run(async () =>
        {
            foreach (var frame in frames)
                await raw.SendAsync(frame);
        });
        await Task.Delay(1500);
        var stalled = _sessions.Dispatched;
        await Task.Delay(500);
        // Read no further: what was dispatched is what fits the pause mark and the kernel's buffers, not the 2,000 sent.
        Assert.Equal(stalled, _sessions.Dispatched);
        Assert.InRange(stalled, 1, 200);
        Assert.False(writer.IsCompleted);

        // Reading again, every call is answered: nothing was failed or dropped.
        await using var stream = new NetworkStream(raw, ownsSocket: false);
        var serials = new HashSet<long>();
        while (serials.Count < frames.Count)
        {
            var envelope = await FrameCodec.ReadAsync(stream).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.NotNull(envelope);
            if (envelope.Type == MessageType.Event)
                continue;
            Assert.Equal(MessageType.Reply, envelope.Type);
            serials.Add(envelope.Serial);
        }
        await writer;
    }

    [Fact]
    public async Task A_client_past_the_byte_bound_is_disconnected_with_the_reason()
    {
        await StartAsync(Options with { MaxQueuedEvents = 1_000_000, MaxQueuedBytes = 256 * 1024 });
        using var raw = await ConnectRawAsync();
        raw.ReceiveBufferSize = 4096;
        // One call that pushes far more events than the bound while the client reads nothing.
        await raw.SendAsync(FrameCodec.Encode(new WireEnvelope { Type = MessageType.Call, Serial = 1, Procedure = "push", Body = Json(1_000_000) }));
        await Task.Delay(500);
        Assert.Contains("client stopped reading", await ReadErrorAsync(raw));
        await AssertEventuallyAsync(() => _sessions.Closed.Count == 1);
        await AssertServerStillAnswersAsync();
    }

    [Fact]
    public async Task A_connection_that_sends_no_call_is_closed_and_one_that_did_may_idle()
    {
        await StartAsync(Options with { FirstCallTimeout = TimeSpan.FromMilliseconds(500) });
        using var idle = await ConnectRawAsync();
        await using var busy = await WireClient.ConnectUnixAsync(SocketPath);
        await busy.CallAsync("echo", Json(1));
        Assert.Contains("no call within 0.5 s of connecting", await ReadErrorAsync(idle));
        Assert.Equal(0, await idle.ReceiveAsync(new byte[16]));
        await Task.Delay(1000);
        Assert.Equal(2, (await busy.CallAsync("echo", Json(2)))!.Value.GetInt32());
    }

    [Fact]
    public async Task An_unknown_procedure_is_never_echoed_in_full()
    {
        using var raw = await ConnectRawAsync();
        var name = new string('p', 60 * 1024);
        await raw.SendAsync(FrameCodec.Encode(new WireEnvelope { Type = MessageType.Call, Serial = 1, Procedure = name }));
        await using var stream = new NetworkStream(raw, ownsSocket: false);
        var reply = await FrameCodec.ReadAsync(stream).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(MessageType.Error, reply!.Type);
        var size = FrameCodec.Encode(reply).Length;
        Assert.True(size < 1024, $"the error about a 60 KiB name took {size} bytes");
    }

    [Fact]
    public async Task A_silent_daemon_is_given_up_by_the_client_after_the_keepalive_timeout()
    {
        // A listener that accepts and never says anything: a stopped daemon, as the kernel still accepts for it.
        var path = _dir.Combine("stopped");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(path));
        await using var client = new WireClient(new NetworkStream(socket, ownsSocket: true), peer: "the daemon at stopped",
            keepaliveInterval: TimeSpan.FromMilliseconds(200), keepaliveTimeout: TimeSpan.FromSeconds(1));
        var e = await Assert.ThrowsAsync<VirtException>(() => client.CallAsync("echo", Json(1), TimeSpan.FromSeconds(60)).WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Contains("the daemon at stopped sent nothing for", e.Message);
        Assert.Contains("stopped or hung", e.Message);
    }

    [Fact]
    public async Task A_busy_daemon_sends_heartbeats_so_a_long_call_is_not_given_up()
    {
        await StartAsync(Options with { HeartbeatInterval = TimeSpan.FromMilliseconds(100) });
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath));
        await using var client = new WireClient(new NetworkStream(socket, ownsSocket: true),
            keepaliveInterval: TimeSpan.FromMilliseconds(100), keepaliveTimeout: TimeSpan.FromMilliseconds(1500));
        var slow = client.CallAsync("slow", Json(7), TimeSpan.FromSeconds(60));
        // Twice the client's silence limit: without the daemon's heartbeats the call would have been given up.
        await Task.Delay(3000);
        Assert.False(slow.IsCompleted);
        _sessions.ReleaseSlow.SetResult();
        Assert.Equal(7, (await slow.WaitAsync(TimeSpan.FromSeconds(10)))!.Value.GetInt32());
    }

    [Fact]
    public async Task An_oversized_frame_closes_that_client_only()
    {
        using var raw = await ConnectRawAsync();
        var header = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(header, 10 * 1024 * 1024);
        await raw.SendAsync(header);
        var reply = await ReadErrorAsync(raw);
        Assert.Contains("exceeds the limit", reply);
        await AssertServerStillAnswersAsync();
    }

    [Fact]
    public async Task A_malformed_frame_gets_an_rpc_error_and_a_closed_connection()
    {
        using var raw = await ConnectRawAsync();
        var payload = "{not json"u8.ToArray();
        var frame = new byte[4 + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)payload.Length);
        payload.CopyTo(frame, 4);
        await raw.SendAsync(frame);
        Assert.Contains("malformed envelope", await ReadErrorAsync(raw));
        Assert.Equal(0, await raw.ReceiveAsync(new byte[16]));
        await AssertServerStillAnswersAsync();
    }

    [Fact]
    public async Task A_client_that_never_reads_events_is_disconnected_and_its_session_ends()
    {
        await using var client = await WireClient.ConnectUnixAsync(SocketPath);
        // The pushes outrun the client, which reads none of them: the bound of 64 trips mid-call.
        var e = await Assert.ThrowsAsync<VirtException>(() => client.CallAsync("push", Json(100_000), TimeSpan.FromSeconds(30)));
        Assert.Contains("client stopped reading: 65 events unread (limit 64)", e.Message);
        await client.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        await AssertEventuallyAsync(() => _sessions.Closed.Count == 1);
        await AssertServerStillAnswersAsync();
    }

    [Fact]
    public async Task Closing_the_client_ends_its_session()
    {
        var client = await WireClient.ConnectUnixAsync(SocketPath);
        await client.CallAsync("echo", Json(1));
        await client.DisposeAsync();
        await AssertEventuallyAsync(() => _sessions.Closed.Count == 1);
        Assert.Equal(0, _server.ClientCount);
    }

    [Fact]
    public async Task Clients_beyond_the_cap_are_refused_with_a_reason()
    {
        await StartAsync(Options with { MaxClients = 2 });
        await using var a = await WireClient.ConnectUnixAsync(SocketPath);
        await using var b = await WireClient.ConnectUnixAsync(SocketPath);
        await a.CallAsync("echo", Json(1));
        await b.CallAsync("echo", Json(1));
        await using var c = await WireClient.ConnectUnixAsync(SocketPath);
        var e = await Assert.ThrowsAsync<VirtException>(() => c.CallAsync("echo", Json(1), TimeSpan.FromSeconds(10)));
        Assert.Contains("too many clients (limit 2)", e.Message);
    }

    [Fact]
    public async Task Random_and_truncated_frames_for_a_while_leave_the_server_answering()
    {
        var random = new Random(4711);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(3);
        var rounds = 0;
        while (DateTime.UtcNow < deadline)
        {
            using var raw = await ConnectRawAsync();
            var good = FrameCodec.Encode(new WireEnvelope { Type = MessageType.Call, Serial = 1, Procedure = "echo", Body = Json(rounds) });
            var bytes = random.Next(3) switch
            {
                0 => good[..random.Next(1, good.Length)],
                1 => RandomBytes(random, random.Next(1, 300)),
                _ => Mutate(random, good),
            };
            try
            {
                await raw.SendAsync(bytes);
                raw.Shutdown(SocketShutdown.Send);
                // Whatever was sent, the server answers or closes; it never leaves the client hanging.
                var sink = new byte[4096];
                using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                while (await raw.ReceiveAsync(sink, SocketFlags.None, limit.Token) > 0)
                {
                }
            }
            catch (SocketException)
            {
            }
            rounds++;
        }
        await AssertServerStillAnswersAsync();
        Assert.True(rounds > 10);
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Mutate(Random random, byte[] frame)
    {
        var copy = (byte[])frame.Clone();
        copy[random.Next(4, copy.Length)] = (byte)random.Next(256);
        return copy;
    }

    private async Task<Socket> ConnectRawAsync()
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath));
        return socket;
    }

    private static async Task<string> ReadErrorAsync(Socket socket)
    {
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        while (true)
        {
            var envelope = await FrameCodec.ReadAsync(stream).WaitAsync(TimeSpan.FromSeconds(10));
            Assert.NotNull(envelope);
            if (envelope.Type == MessageType.Event)
                continue; // heartbeats, and events pushed before the reason
            Assert.Equal(MessageType.Error, envelope.Type);
            return FrameCodec.ReadError(envelope).Message;
        }
    }

    private static async Task AssertEventuallyAsync(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++)
            await Task.Delay(10);
        Assert.True(condition());
    }

    [System.Runtime.InteropServices.DllImport("libc")]
    private static extern uint geteuid();
}
