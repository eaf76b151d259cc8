using System.Buffers.Binary;
using Virt.Protocol.Errors;
using Virt.Protocol.Storage;
using Virt.Supervisor.Native;

namespace Virt.Supervisor.Storage;

/// <summary>
/// The files of a directory pool as volumes: what each is (qcow2 by its magic, raw otherwise), its size as the guest
/// sees it and what it takes on disk; and the making of new ones (a sparse file for raw, qemu-img for qcow2).
/// </summary>
public static class VolumeFiles
{
    private static readonly byte[] Qcow2Magic = [(byte)'Q', (byte)'F', (byte)'I', 0xfb];

    /// <summary>The regular files of a directory, hidden ones left out, by name.</summary>
    public static IReadOnlyList<VolumeInfo> List(string directory)
    {
        if (!Directory.Exists(directory))
            return [];
        var volumes = new List<VolumeInfo>();
        foreach (var file in Directory.EnumerateFiles(directory).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(file);
            if (name.StartsWith('.'))
                continue;
            if (Describe(file) is { } volume)
                volumes.Add(volume);
        }
        return volumes;
    }

    /// <summary>One file as a volume; null when it is gone or is no regular file.</summary>
    public static VolumeInfo? Describe(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists || info.Attributes.HasFlag(FileAttributes.Directory))
                return null;
            var (uid, gid, mode, size, allocated) = NativeFiles.StatFile(path);
            if (!NativeFiles.IsRegularFile(mode))
                return null;
            var (format, capacity) = Probe(path, size);
            return new VolumeInfo(info.Name, info.FullName, format, capacity, allocated, mode, uid, gid);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>qcow2 keeps its virtual size at byte 24 of its header; a raw file's size is its capacity.</summary>
    private static (string Format, ulong Capacity) Probe(string path, ulong size)
    {
        // Opened as the config scan opens files: a FIFO swapped in after the stat never blocks the read.
        Span<byte> header = stackalloc byte[32];
        using var handle = NativeFiles.OpenForScan(path);
        var read = NativeFiles.FileType(handle, path) == NativeFiles.RegularFile ? RandomAccess.Read(handle, header, 0) : 0;
        if (read >= 32 && header[..4].SequenceEqual(Qcow2Magic))
            return ("qcow2", BinaryPrimitives.ReadUInt64BigEndian(header[24..]));
        return ("raw", size);
    }

    public static PoolSpace Space(string directory)
    {
        try
        {
            var drive = new DriveInfo(directory);
            var capacity = (ulong)drive.TotalSize;
            var available = (ulong)drive.AvailableFreeSpace;
            return new PoolSpace(capacity, capacity - (ulong)drive.TotalFreeSpace, available);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return new PoolSpace(0, 0, 0);
        }
    }

    /// <summary>Creates a new volume file; refused when the name is taken, never overwriting anything.</summary>
    public static async Task<VolumeInfo> CreateAsync(string directory, VolumeRequest request, CancellationToken ct)
    {
        var path = Path.Combine(directory, request.Name);
        if (File.Exists(path) || Directory.Exists(path))
            throw new VirtException(ErrorCode.OperationFailed, $"storage volume '{request.Name}' exists already in {directory}");
        if (request.Format == "raw")
        {
            try
            {
                using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
                file.SetLength((long)request.CapacityBytes); // sparse: nothing is written
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new VirtException(ErrorCode.OperationFailed, $"cannot create storage volume {path}: {e.Message}", e);
            }
        }
        else
        {
            await QemuImg.RunAsync(["create", "-q", "-f", request.Format, path, request.CapacityBytes.ToString(System.Globalization.CultureInfo.InvariantCulture)], ct).ConfigureAwait(false);
        }
        return Describe(path) ?? throw new VirtException(ErrorCode.OperationFailed, $"storage volume {path} is gone right after its creation");
    }

    public static void Delete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VirtException(ErrorCode.OperationFailed, $"cannot delete storage volume {path}: {e.Message}", e);
        }
    }
}
