using Virt.Supervisor.Native;
using System.Buffers;
using System.Text;
using Microsoft.Win32.SafeHandles;
using Virt.Protocol.Domains;

namespace Virt.Actors.Config;

/// <summary>
/// Reads a config file as File.ReadAllText does (UTF-8, BOM dropped, bad bytes replaced, UTF-16 and UTF-32 by their
/// BOM), with one reused buffer: the start-up scan reads thousands of them. Whatever sits in the directory, a read
/// never blocks (a FIFO, a device) and never takes more than the document limit plus one byte (a link to /dev/zero).
/// </summary>
internal static class ConfigFileText
{
    /// <summary>The text of a regular file, or the reason it is not one the scan may read.</summary>
    public static string Read(string path)
    {
        using var handle = NativeFiles.OpenForScan(path);
        var kind = NativeFiles.FileType(handle, path);
        if (kind != NativeFiles.RegularFile)
            throw new ConfigFileException($"not a regular file ({kind})");
        var buffer = ArrayPool<byte>.Shared.Rent(DomainXml.MaxDocumentBytes + 1);
        try
        {
            var count = ReadAtMost(handle, buffer.AsSpan(0, DomainXml.MaxDocumentBytes + 1));
            if (count > DomainXml.MaxDocumentBytes)
                throw new ConfigFileException($"larger than the limit of {DomainXml.MaxDocumentBytes} bytes (1 MiB) for a domain XML document");
            var bytes = buffer.AsSpan(0, count);
            if (HasUnicodeBom(bytes))
                return Decode(buffer, count);
            if (bytes.StartsWith(Encoding.UTF8.Preamble))
                bytes = bytes[Encoding.UTF8.Preamble.Length..];
            return Encoding.UTF8.GetString(bytes);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static int ReadAtMost(SafeFileHandle handle, Span<byte> buffer)
    {
        var count = 0;
        int read;
        while (count < buffer.Length && (read = RandomAccess.Read(handle, buffer[count..], count)) > 0)
            count += read;
        return count;
    }

    /// <summary>UTF-16 and UTF-32 by their byte order marks, as File.ReadAllText reads them.</summary>
    private static string Decode(byte[] buffer, int count)
    {
        using var reader = new StreamReader(new MemoryStream(buffer, 0, count), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    private static bool HasUnicodeBom(ReadOnlySpan<byte> bytes) =>
        bytes.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]) || bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE])
        || bytes.StartsWith((ReadOnlySpan<byte>)[0x00, 0x00, 0xFE, 0xFF]);
}

/// <summary>A file in the config directory the scan skips and reports; its message says why.</summary>
internal sealed class ConfigFileException(string message) : IOException(message);
