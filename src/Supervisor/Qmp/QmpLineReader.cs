using System.Net.Sockets;

namespace Virt.Supervisor.Qmp;

/// <summary>Splits a byte stream into newline-terminated messages, as QEMU writes QMP (one JSON value a line).</summary>
internal sealed class QmpLineReader(Stream stream, int maxMessageBytes)
{
    private byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;
    private int _scanned;

    /// <summary>The next non-empty line without its terminator, or null at a clean EOF.</summary>
    /// <exception cref="QmpConnectionException">EOF inside a message, or a message over the size limit.</exception>
    public async ValueTask<ReadOnlyMemory<byte>?> ReadLineAsync(CancellationToken ct)
    {
        while (true)
        {
            var newline = _buffer.AsSpan(_scanned, _end - _scanned).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var lineEnd = _scanned + newline;
                var line = _buffer.AsMemory(_start, lineEnd - _start);
                _start = _scanned = lineEnd + 1;
                var trimmed = Trim(line);
                if (trimmed.Length > 0)
                    return trimmed;
                continue;
            }
            _scanned = _end;
            if (_end - _start > maxMessageBytes)
                throw new QmpConnectionException($"QMP message longer than {maxMessageBytes} bytes; connection dropped");
            MakeRoom();
            var read = await ReadAsync(ct).ConfigureAwait(false);
            if (read == 0)
            {
                if (Trim(_buffer.AsMemory(_start, _end - _start)).Length > 0)
                    throw new QmpConnectionException("QMP connection closed in the middle of a message");
                return null;
            }
            _end += read;
        }
    }

    private async ValueTask<int> ReadAsync(CancellationToken ct)
    {
        try
        {
            return await stream.ReadAsync(_buffer.AsMemory(_end), ct).ConfigureAwait(false);
        }
        catch (IOException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset })
        {
            // QEMU exiting with bytes of ours still unread resets the socket instead of a FIN: still just the end.
            return 0;
        }
    }

    private void MakeRoom()
    {
        if (_end < _buffer.Length)
            return;
        var pending = _end - _start;
        var canGrow = _buffer.Length < maxMessageBytes + 2;
        if (_start > 0 && (pending < _buffer.Length / 2 || !canGrow))
        {
            // Lines handed out earlier are consumed before the next read, so moving bytes now is safe.
            _buffer.AsSpan(_start, pending).CopyTo(_buffer);
        }
        else if (canGrow)
        {
            var grown = new byte[(int)Math.Min((long)_buffer.Length * 2, (long)maxMessageBytes + 2)];
            _buffer.AsSpan(_start, pending).CopyTo(grown);
            _buffer = grown;
        }
        else
        {
            throw new QmpConnectionException($"QMP message longer than {maxMessageBytes} bytes; connection dropped");
        }
        _scanned -= _start;
        _end = pending;
        _start = 0;
    }

    private static ReadOnlyMemory<byte> Trim(ReadOnlyMemory<byte> line)
    {
        var span = line.Span;
        int first = 0, last = span.Length - 1;
        while (first <= last && IsSpace(span[first])) first++;
        while (last >= first && IsSpace(span[last])) last--;
        return line.Slice(first, last - first + 1);
    }

    private static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\r' or (byte)'\t' or (byte)'\n';
}
