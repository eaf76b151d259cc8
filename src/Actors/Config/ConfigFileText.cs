using System.Buffers;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Virt.Actors.Config;

/// <summary>
/// Reads a config file as File.ReadAllText does (UTF-8, BOM dropped, bad bytes replaced), with one reused
/// buffer instead of a FileStream and StreamReader per file: the start-up scan reads thousands of them.
/// </summary>
internal static class ConfigFileText
{
    /// <summary>Larger files go through File.ReadAllText, so the parser still sees them whole and names their size.</summary>
    private const int PooledLimit = 256 * 1024;

    public static string Read(string path)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var length = RandomAccess.GetLength(handle);
        if (length > PooledLimit)
            return File.ReadAllText(path);
        var buffer = ArrayPool<byte>.Shared.Rent((int)length + 1);
        try
        {
            var count = ReadAll(handle, buffer);
            if (count == buffer.Length || HasUnicodeBom(buffer.AsSpan(0, count)))
                return File.ReadAllText(path); // grew while we read, or UTF-16/32: the general path
            var text = buffer.AsSpan(0, count);
            if (text.StartsWith(Encoding.UTF8.Preamble))
                text = text[Encoding.UTF8.Preamble.Length..];
            return Encoding.UTF8.GetString(text);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static int ReadAll(SafeFileHandle handle, byte[] buffer)
    {
        var count = 0;
        int read;
        while (count < buffer.Length && (read = RandomAccess.Read(handle, buffer.AsSpan(count), count)) > 0)
            count += read;
        return count;
    }

    /// <summary>UTF-16 and UTF-32 byte order marks, which File.ReadAllText honours.</summary>
    private static bool HasUnicodeBom(ReadOnlySpan<byte> bytes) =>
        bytes.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]) || bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE])
        || bytes.StartsWith((ReadOnlySpan<byte>)[0x00, 0x00, 0xFE, 0xFF]);
}
