using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Virt.Host.Sockets;
using Virt.Protocol.Api;
using Virt.Protocol.Errors;
using Virt.Protocol.Wire;
using Virt.TestSupport;

namespace Virt.Host.Tests.Sockets;

/// <summary>Stream frames on Virt's socket, without a QEMU: after the open call's reply, bytes both ways by its serial.</summary>
public sealed class UnixSocketStreamTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private readonly StreamSessions _sessions = new();
    private UnixSocketServer _server = null!;

    public Task InitializeAsync()
    {
        _server = new UnixSocketServer(new SocketServerOptions { Path = _dir.Combine("s") }, _sessions, NullLogger.Instance);
        _server.Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _dir.Dispose();
    }

    /// <summary>A stream whose daemon side answers each chunk in upper case, and can be ended from the daemon's side.</summary>
    private sealed class Shouting : IConsoleStream
    {
        private IConsoleOutput? _output;
        public TaskCompletionSource Closed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Start(IConsoleOutput output) => _output = output;

        public bool Write(ReadOnlySpan<byte> data)
        {
            _output!.Data(Encoding.ASCII.GetBytes(Encoding.ASCII.GetString(data).ToUpperInvariant()));
            return true;
        }

        public void Close() => Closed.TrySetResult();

        public void End(VirtException? reason) => _output!.Ended(reason);
    }

    private sealed class StreamSessions : IWireSessionFactory
    {
        public ConcurrentQueue<Shouting> Streams { get; } = new();

        public Task<IWireSession> OpenAsync(ClientIdentity client, IEventSink events, CancellationToken ct) => Task.FromResult<IWireSession>(new Session(this));

        private sealed class Session(StreamSessions owner) : IWireSession, IWireStreamSession
        {
            public Task<JsonElement?> CallAsync(string procedure, JsonElement? body, CancellationToken ct) => Task.FromResult(body);

            public bool OpensStream(string procedure) => procedure == "shout";

            public Task<(JsonElement? Reply, IConsoleStream Stream)> OpenStreamAsync(string procedure, JsonElement? body, CancellationToken ct)
            {
                var stream = new Shouting();
                owner.Streams.Enqueue(stream);
                return Task.FromResult<(JsonElement?, IConsoleStream)>((JsonSerializer.SerializeToElement("open"), stream));
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }

    private static async Task<string> ReadAsync(WireStream stream, int length)
    {
        var text = new StringBuilder();
        while (text.Length < length)
            text.Append(Encoding.ASCII.GetString(await stream.Incoming.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10))));
        return text.ToString();
    }

    [Fact]
    public async Task Bytes_go_both_ways_beside_ordinary_calls_and_the_clients_end_closes_the_daemons_side()
    {
        await using var client = await WireClient.ConnectUnixAsync(_dir.Combine("s"));
        var stream = await client.OpenStreamAsync("shout", null, TimeSpan.FromSeconds(10));
        Assert.Equal("open", stream.Reply!.Value.GetString());
        var daemonSide = Assert.Single(_sessions.Streams);

        await stream.SendAsync("hello"u8.ToArray());
        Assert.Equal(7, (await client.CallAsync("echo", JsonSerializer.SerializeToElement(7), TimeSpan.FromSeconds(10)))!.Value.GetInt32());
        await stream.SendAsync(" there"u8.ToArray());
        Assert.Equal("HELLO THERE", await ReadAsync(stream, 11));

        await stream.EndAsync();
        await daemonSide.Closed.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task The_daemons_end_completes_the_clients_side_with_its_reason_or_cleanly()
    {
        await using var client = await WireClient.ConnectUnixAsync(_dir.Combine("s"));
        var taken = await client.OpenStreamAsync("shout", null, TimeSpan.FromSeconds(10));
        var clean = await client.OpenStreamAsync("shout", null, TimeSpan.FromSeconds(10));
        var sides = _sessions.Streams.ToArray();

        sides[0].End(new VirtException(ErrorCode.OperationFailed, "taken over"));
        var e = await Assert.ThrowsAsync<VirtException>(() => taken.Incoming.Completion.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal((ErrorCode.OperationFailed, "taken over"), (e.Code, e.Message));

        sides[1].End(null);
        await clean.Incoming.Completion.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_dropped_connection_closes_every_stream_it_held()
    {
        var client = await WireClient.ConnectUnixAsync(_dir.Combine("s"));
        await client.OpenStreamAsync("shout", null, TimeSpan.FromSeconds(10));
        await client.DisposeAsync();
        await Assert.Single(_sessions.Streams).Closed.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
