using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Virt.Supervisor.Tests.Qmp;

/// <summary>A QMP server on a real UNIX socket whose every line the test writes, to drive the client's error paths.</summary>
internal sealed class FakeQmpServer : IAsyncDisposable
{
    public const string Greeting =
        """{"QMP": {"version": {"qemu": {"micro": 3, "minor": 2, "major": 7}, "package": "fake"}, "capabilities": ["oob"]}}""";

    private readonly Socket _listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    private Socket? _socket;
    private NetworkStream? _stream;
    private StreamReader? _reader;

    public string Path { get; }

    public FakeQmpServer(string path)
    {
        Path = path;
        _listener.Bind(new UnixDomainSocketEndPoint(path));
        _listener.Listen(4);
    }

    public async Task AcceptAsync()
    {
        var socket = _socket = await _listener.AcceptAsync();
        _stream = new NetworkStream(socket, ownsSocket: true);
        _reader = new StreamReader(_stream, Encoding.UTF8);
    }

    /// <summary>Accepts, greets and answers qmp_capabilities: the client's ConnectAsync then returns.</summary>
    public async Task AcceptAndHandshakeAsync()
    {
        await AcceptAsync();
        await SendAsync(Greeting);
        var negotiate = await ReadCommandAsync();
        Assert.Equal("qmp_capabilities", negotiate.GetProperty("execute").GetString());
        await ReplyAsync(negotiate, "{}");
    }

    public async Task SendAsync(string line) => await SendRawAsync(Encoding.UTF8.GetBytes(line + "\n"));

    public async Task SendRawAsync(ReadOnlyMemory<byte> bytes)
    {
        await _stream!.WriteAsync(bytes);
        await _stream.FlushAsync();
    }

    /// <summary>The next command the client sent, or throws at EOF.</summary>
    public async Task<JsonElement> ReadCommandAsync()
    {
        var line = await _reader!.ReadLineAsync() ?? throw new EndOfStreamException("client closed the connection");
        using var doc = JsonDocument.Parse(line);
        return doc.RootElement.Clone();
    }

    /// <summary>
    /// One recvmsg straight off the socket, as QEMU reads a command that passes a descriptor: the bytes that came with
    /// it, and the descriptor. Call it when the line reader holds nothing unread.
    /// </summary>
    public (string Text, Microsoft.Win32.SafeHandles.SafeFileHandle? Fd) ReceiveWithFd()
    {
        var buffer = new byte[4096];
        var (bytes, fd) = Virt.Supervisor.Native.FdPassing.Receive(_socket!, buffer);
        return (Encoding.UTF8.GetString(buffer, 0, bytes), fd);
    }

    public void SocketReceiveTimeout(int milliseconds) => _socket!.ReceiveTimeout = milliseconds;

    public Task ReplyAsync(JsonElement command, string returnJson) =>
        SendAsync($$"""{"return": {{returnJson}}, "id": {{command.GetProperty("id").GetRawText()}}}""");

    public void CloseConnection()
    {
        _reader?.Dispose();
        _stream?.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        CloseConnection();
        _listener.Dispose();
        return ValueTask.CompletedTask;
    }
}
