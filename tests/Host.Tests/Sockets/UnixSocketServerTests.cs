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
    public async Task Calls_beyond_the_in_flight_cap_get_an_error()
    {
        await using var client = await WireClient.ConnectUnixAsync(SocketPath);
        var held = Enumerable.Range(0, 4).Select(i => client.CallAsync("slow", Json(i))).ToList();
        var e = await Assert.ThrowsAsync<VirtException>(() => client.CallAsync("slow", Json(99)));
        Assert.Contains("too many calls in flight (limit 4)", e.Message);
        _sessions.ReleaseSlow.SetResult();
        await Task.WhenAll(held);
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
        Assert.Contains("stopped reading events (64 queued)", e.Message);
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
        var envelope = await FrameCodec.ReadAsync(stream).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(MessageType.Error, envelope!.Type);
        return FrameCodec.ReadError(envelope).Message;
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
