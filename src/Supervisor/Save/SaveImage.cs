using System.Buffers.Binary;
using System.Text;
using Virt.Protocol.Errors;
using Virt.Supervisor.Native;

namespace Virt.Supervisor.Save;

/// <summary>
/// A saved domain's file: a header (magic, version, the XML's length, whether the guest ran), the live domain XML,
/// zero padding to a 4 KiB boundary, then QEMU's migration stream, which QEMU itself appends and reads back.
/// </summary>
public sealed record SaveImage(string Xml, bool WasRunning, long StreamOffset)
{
    private static readonly byte[] Magic = "VirtSaveImage\n\0\0"u8.ToArray();
    private const int Version = 1;
    private const int HeaderSize = 32;
    private const int Alignment = 4096;
    /// <summary>A domain XML larger than this is no save image of ours.</summary>
    private const int MaxXmlBytes = 16 * 1024 * 1024;

    /// <summary>
    /// Writes the header and XML, replacing any file at <paramref name="path"/> (as virsh save does), and returns the
    /// file open after them for QEMU's stream. One open, so a FIFO or a device works as the target too.
    /// </summary>
    public static FileStream Create(string path, string xml, bool wasRunning)
    {
        var body = Encoding.UTF8.GetBytes(xml);
        var offset = (HeaderSize + body.Length + Alignment - 1) / Alignment * Alignment;
        var header = new byte[offset];
        Magic.CopyTo(header, 0);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(16), Version);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(20), body.Length);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(24), wasRunning ? 1 : 0);
        body.CopyTo(header, HeaderSize);
        FileStream? file = null;
        try
        {
            // Unbuffered: closing it after an abort must not wait to flush into a FIFO nobody reads.
            file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0, useAsync: true);
            file.Write(header);
            file.Flush();
            return file;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            file?.Dispose();
            throw new VirtException(ErrorCode.OperationFailed, $"cannot write save image {path}: {e.Message}", e);
        }
    }

    /// <summary>Removes what a failed save left, if it is a file of its own; a FIFO or device the user named stays.</summary>
    public static void Discard(string path)
    {
        if (NativeFiles.LinkStat(path) is { } stat && NativeFiles.IsRegularFile(stat.Mode))
            File.Delete(path);
    }

    /// <summary>The header and XML of a save image; a file that is not one is refused and nothing is started from it.</summary>
    public static SaveImage Read(string path)
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            Span<byte> header = stackalloc byte[HeaderSize];
            if (file.ReadAtLeast(header, HeaderSize, throwOnEndOfStream: false) < HeaderSize || !header[..16].SequenceEqual(Magic))
                throw new VirtException(ErrorCode.InvalidArg, $"{path} is not a save image: image magic is incorrect");
            var version = BinaryPrimitives.ReadInt32BigEndian(header[16..]);
            var length = BinaryPrimitives.ReadInt32BigEndian(header[20..]);
            if (version != Version)
                throw new VirtException(ErrorCode.ConfigUnsupported, $"save image {path} has version {version}; this daemon reads version {Version}");
            if (length is <= 0 or > MaxXmlBytes)
                throw new VirtException(ErrorCode.InvalidArg, $"{path} is not a save image: its XML length {length} is out of range");
            var xml = new byte[length];
            if (file.ReadAtLeast(xml, length, throwOnEndOfStream: false) < length)
                throw new VirtException(ErrorCode.InvalidArg, $"save image {path} is truncated");
            var offset = (HeaderSize + length + Alignment - 1) / Alignment * Alignment;
            if (file.Length <= offset)
                throw new VirtException(ErrorCode.InvalidArg, $"save image {path} holds no memory state");
            return new SaveImage(Encoding.UTF8.GetString(xml), BinaryPrimitives.ReadInt32BigEndian(header[24..]) != 0, offset);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VirtException(ErrorCode.OperationFailed, $"cannot read save image {path}: {e.Message}", e);
        }
    }
}
