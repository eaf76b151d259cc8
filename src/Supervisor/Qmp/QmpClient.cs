using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace Virt.Supervisor.Qmp;

/// <summary>An async QMP connection: one reader loop, commands matched to replies by id, events as a stream.</summary>
public sealed class QmpClient : IAsyncDisposable
{
    private const int ImmediateRetries = 3;
    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    private readonly Stream _input;
    private readonly Stream _output;
    // The UNIX socket under the streams, when there is one: only it can pass a file descriptor (getfd).
    private readonly Socket? _socket;
    private readonly QmpClientOptions _options;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentDictionary<long, PendingCommand> _pending = new();
    private readonly Channel<QmpEvent> _events;
    private readonly TaskCompletionSource<QmpGreeting> _greeting = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _shutdown = new();
    private Task _readerLoop = Task.CompletedTask;
    private long _nextId;
    private int _closed;
    private string _closeReason = "";

    private sealed record PendingCommand(string Command, TaskCompletionSource<JsonElement> Reply);

    private QmpClient(Stream input, Stream output, QmpClientOptions options, Socket? socket)
    {
        _input = input;
        _output = output;
        _socket = socket;
        _options = options;
        _events = Channel.CreateBounded<QmpEvent>(new BoundedChannelOptions(options.EventBufferCapacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleWriter = true,
        });
    }

    /// <summary>The greeting QEMU sent; set once <see cref="ConnectAsync(string, QmpClientOptions?, CancellationToken)"/> returns.</summary>
    public QmpGreeting Greeting => _greeting.Task.IsCompletedSuccessfully
        ? _greeting.Task.Result
        : throw new InvalidOperationException("no QMP greeting yet");

    /// <summary>Completes (never faults) when the connection ends; <see cref="CloseError"/> says why.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Why the connection ended: null for a clean EOF or a local close, else the error.</summary>
    public Exception? CloseError { get; private set; }

    public bool IsConnected => Volatile.Read(ref _closed) == 0;

    /// <summary>Connects to a QMP UNIX socket, reads the greeting and negotiates capabilities.</summary>
    public static async Task<QmpClient> ConnectAsync(string socketPath, QmpClientOptions? options = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(socketPath);
        options ??= new QmpClientOptions();
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            using var timeout = new CancellationTokenSource(options.ConnectTimeout);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
            var refused = 0;
            try
            {
                // QEMU creates the socket file at bind() and listens a moment later: a connection refused in
                // between is retried until the connect timeout, so a QEMU that was just started can be reached.
                while (true)
                {
                    try
                    {
                        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), linked.Token).ConfigureAwait(false);
                        break;
                    }
                    catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused && !linked.IsCancellationRequested)
                    {
                        socket.Dispose();
                        socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                        // bind() to listen() is microseconds in QEMU: retry at once a few times before sleeping.
                        if (++refused <= ImmediateRetries)
                            await Task.Yield();
                        else
                            await Task.Delay(1, linked.Token).ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                throw new QmpTimeoutException($"connecting to QMP socket {socketPath} timed out after {Format(options.ConnectTimeout)}");
            }
            catch (SocketException e)
            {
                throw new QmpConnectionException($"cannot connect to QMP socket {socketPath}: {e.Message}", e);
            }
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        var stream = new NetworkStream(socket, ownsSocket: true);
        return await StartAsync(stream, stream, options, ct, socket).ConfigureAwait(false);
    }

    /// <summary>Same over a stream pair, e.g. QEMU's stdout (input) and stdin (output) with <c>-qmp stdio</c>; the client owns both.</summary>
    public static Task<QmpClient> ConnectAsync(Stream input, Stream output, QmpClientOptions? options = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        return StartAsync(input, output, options ?? new QmpClientOptions(), ct);
    }

    private static async Task<QmpClient> StartAsync(Stream input, Stream output, QmpClientOptions options, CancellationToken ct, Socket? socket = null)
    {
        var client = new QmpClient(input, output, options, socket);
        client._readerLoop = Task.Run(client.ReadLoopAsync, CancellationToken.None);
        Task? negotiate = null;
        try
        {
            // Sent before the greeting arrives: QEMU reads it only after greeting us, and a QEMU still starting up
            // answers it as soon as its main loop runs, without waiting for our side of one more round trip.
            negotiate = client.ExecuteAsync("qmp_capabilities", timeout: options.ConnectTimeout, ct: ct);
            try
            {
                await client._greeting.Task.WaitAsync(options.ConnectTimeout, ct).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                throw new QmpTimeoutException($"QEMU sent no QMP greeting within {Format(options.ConnectTimeout)}");
            }
            await negotiate.ConfigureAwait(false);
            return client;
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            if (negotiate is not null)
            {
                // The close failed it too; observed here so it is not reported as unobserved.
                try { await negotiate.ConfigureAwait(false); }
                catch (Exception) { }
            }
            throw;
        }
    }

    /// <summary>Runs one command and returns its "return" member.</summary>
    /// <param name="arguments">A JsonObject, an object JsonElement, a string-keyed dictionary, or a plain/anonymous object.</param>
    /// <exception cref="QmpCommandException">QEMU replied with an error.</exception>
    /// <exception cref="QmpTimeoutException">No reply within the timeout; only this command fails.</exception>
    /// <exception cref="QmpConnectionException">The connection is closed or ended before the reply.</exception>
    public Task<JsonElement> ExecuteAsync(string command, object? arguments = null, TimeSpan? timeout = null, CancellationToken ct = default) =>
        SendCommandAsync(command, arguments, fd: null, timeout, ct);

    /// <summary>
    /// Runs one command with a file descriptor passed alongside (SCM_RIGHTS), as getfd and add-fd expect it: the
    /// command's bytes and the descriptor go in one sendmsg. The caller keeps <paramref name="fd"/> and closes it.
    /// </summary>
    /// <exception cref="QmpConnectionException">Also when the monitor is not a UNIX socket; the connection stays up then.</exception>
    public Task<JsonElement> ExecuteWithFdAsync(string command, object? arguments, SafeHandle fd, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(fd);
        if (_socket is null)
            throw new QmpConnectionException($"QMP command '{command}' needs a file descriptor, which only a monitor on a UNIX socket can pass");
        return SendCommandAsync(command, arguments, fd, timeout, ct);
    }

    private async Task<JsonElement> SendCommandAsync(string command, object? arguments, SafeHandle? fd, TimeSpan? timeout, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(command);
        var limit = timeout ?? _options.CommandTimeout;
        if (limit <= TimeSpan.Zero && limit != Timeout.InfiniteTimeSpan)
            throw new ArgumentOutOfRangeException(nameof(timeout), limit, "a QMP command timeout must be positive or infinite");
        ct.ThrowIfCancellationRequested();
        if (!IsConnected)
            throw ClosedError(command);

        var id = Interlocked.Increment(ref _nextId);
        var line = QmpCommandWriter.Write(command, arguments, id);
        var pending = new PendingCommand(command, new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously));
        // Registered before the closed check below, so a concurrent Close either sees it or we see the close.
        _pending[id] = pending;
        using var timeoutCts = new CancellationTokenSource(limit);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeoutCts.Token);
        try
        {
            if (!IsConnected)
                throw ClosedError(command);
            await WriteAsync(command, line, fd, linked.Token).ConfigureAwait(false);
            return await pending.Reply.Task.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeoutCts.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            throw new QmpTimeoutException($"QMP command '{command}' got no reply within {Format(limit)}");
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    /// <summary>All events in arrival order (one consumer); ends when the connection ends.</summary>
    public IAsyncEnumerable<QmpEvent> ReadEventsAsync(CancellationToken ct = default) => _events.Reader.ReadAllAsync(ct);

    public async ValueTask DisposeAsync()
    {
        Close(null, "the QMP client was closed");
        try
        {
            // Disposing the streams ends the read; a pipe that ignores that must not hang the caller.
            await _readerLoop.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            _shutdown.Dispose();
        }
        catch (TimeoutException)
        {
        }
    }

    private async Task WriteAsync(string command, ReadOnlyMemory<byte> line, SafeHandle? fd, CancellationToken ct)
    {
        await _writeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (!IsConnected)
                throw ClosedError(command);
            if (fd is not null)
            {
                // The stream under the lock is this socket, unbuffered: the descriptor rides on the command's first bytes.
                await Native.FdPassing.SendAsync(_socket!, line, fd, ct).ConfigureAwait(false);
                return;
            }
            await _output.WriteAsync(line, ct).ConfigureAwait(false);
            await _output.FlushAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // A half-written command would corrupt the stream for every later one.
            Close(new QmpConnectionException($"sending QMP command '{command}' was interrupted"), $"sending '{command}' was interrupted");
            throw;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
        {
            var error = new QmpConnectionException($"sending QMP command '{command}' failed: {e.Message}", e);
            Close(error, error.Message);
            throw error;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task ReadLoopAsync()
    {
        var reader = new QmpLineReader(_input, _options.MaxMessageBytes);
        try
        {
            while (true)
            {
                var line = await reader.ReadLineAsync(_shutdown.Token).ConfigureAwait(false);
                if (line is null)
                {
                    Close(null, "QEMU closed the monitor connection (EOF)");
                    return;
                }
                Dispatch(line.Value);
            }
        }
        catch (QmpConnectionException e)
        {
            Close(e, e.Message);
        }
        catch (Exception e)
        {
            // After a local close this is just the interrupted read; Close ignores it then.
            Close(new QmpConnectionException($"reading from the QMP connection failed: {e.Message}", e), $"read failed: {e.Message}");
        }
    }

    private void Dispatch(ReadOnlyMemory<byte> line)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException e)
        {
            throw new QmpConnectionException($"malformed JSON from QEMU's monitor: {Preview(line)}", e);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new QmpConnectionException($"malformed QMP message (not a JSON object): {Preview(line)}");
            if (!_greeting.Task.IsCompleted)
            {
                _greeting.TrySetResult(ParseGreeting(root, line));
                return;
            }
            if (root.TryGetProperty("event", out var name) && name.ValueKind == JsonValueKind.String)
                DeliverEvent(root, name.GetString()!);
            else if (root.TryGetProperty("return", out var result))
                Complete(root, pending => pending.Reply.TrySetResult(result.Clone()));
            else if (root.TryGetProperty("error", out var error))
                Complete(root, pending => pending.Reply.TrySetException(new QmpCommandException(
                    pending.Command, StringMember(error, "class") ?? "GenericError", StringMember(error, "desc") ?? "(no description)")));
            // Other messages are ignored: QMP allows servers to add members and message kinds.
        }
    }

    private void Complete(JsonElement root, Action<PendingCommand> complete)
    {
        // A reply for an id we no longer wait for (timed out or cancelled) is dropped.
        if (root.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.Number && id.TryGetInt64(out var value)
            && _pending.TryRemove(value, out var pending))
        {
            complete(pending);
        }
    }

    private void DeliverEvent(JsonElement root, string name)
    {
        var data = root.TryGetProperty("data", out var d) ? d.Clone() : EmptyObject;
        var evt = new QmpEvent(name, data, ParseTimestamp(root));
        try
        {
            _options.OnEvent?.Invoke(evt);
        }
        catch (Exception)
        {
            // A faulty subscriber must not take the monitor connection down with it.
        }
        _events.Writer.TryWrite(evt);
    }

    private static QmpGreeting ParseGreeting(JsonElement root, ReadOnlyMemory<byte> line)
    {
        try
        {
            var qmp = root.GetProperty("QMP");
            var version = qmp.GetProperty("version");
            var qemu = version.GetProperty("qemu");
            var parsed = new Version(qemu.GetProperty("major").GetInt32(), qemu.GetProperty("minor").GetInt32(), qemu.GetProperty("micro").GetInt32());
            var capabilities = qmp.TryGetProperty("capabilities", out var caps) && caps.ValueKind == JsonValueKind.Array
                ? caps.EnumerateArray().Where(c => c.ValueKind == JsonValueKind.String).Select(c => c.GetString()!).ToArray()
                : [];
            return new QmpGreeting(parsed, StringMember(version, "package"), capabilities);
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new QmpConnectionException($"expected a QMP greeting, got: {Preview(line)}", e);
        }
    }

    private static DateTimeOffset ParseTimestamp(JsonElement root)
    {
        if (root.TryGetProperty("timestamp", out var ts)
            && ts.TryGetProperty("seconds", out var s) && s.TryGetInt64(out var seconds)
            && ts.TryGetProperty("microseconds", out var us) && us.TryGetInt64(out var micros)
            && seconds is >= 0 and < 253402300799)
        {
            return DateTimeOffset.FromUnixTimeSeconds(seconds).AddTicks(micros * TimeSpan.TicksPerMicrosecond);
        }
        return DateTimeOffset.UtcNow;
    }

    private static string? StringMember(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    /// <summary>Ends the connection once: fails every pending command, completes events and Completion.</summary>
    private void Close(Exception? error, string reason)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
            return;
        _closeReason = reason;
        CloseError = error;
        foreach (var (id, pending) in _pending)
        {
            if (_pending.TryRemove(id, out _))
                pending.Reply.TrySetException(new QmpConnectionException(
                    $"QMP connection ended before '{pending.Command}' got a reply: {reason}", error));
        }
        _greeting.TrySetException(new QmpConnectionException($"QMP connection ended before the greeting: {reason}", error));
        _events.Writer.TryComplete();
        _shutdown.Cancel();
        DisposeQuietly(_input);
        if (!ReferenceEquals(_input, _output))
            DisposeQuietly(_output);
        try
        {
            _options.OnClosed?.Invoke(error);
        }
        catch (Exception)
        {
            // The callback's failure must not stop Completion from completing.
        }
        _completion.TrySetResult();
    }

    private QmpConnectionException ClosedError(string command) =>
        new($"QMP command '{command}' not sent: the connection is closed ({_closeReason})", CloseError);

    private static void DisposeQuietly(Stream stream)
    {
        try
        {
            stream.Dispose();
        }
        catch (Exception)
        {
            // Flushing a dead pipe may throw; the stream is gone either way.
        }
    }

    private static string Preview(ReadOnlyMemory<byte> line)
    {
        const int limit = 200;
        var text = Encoding.UTF8.GetString(line.Span[..Math.Min(line.Length, limit)]);
        return line.Length > limit ? text + "..." : text;
    }

    internal static string Format(TimeSpan span) =>
        span == Timeout.InfiniteTimeSpan ? "forever"
        : span.TotalSeconds >= 1 ? span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s"
        : span.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms";
}
