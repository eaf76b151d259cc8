namespace Virt.Supervisor.Native;

/// <summary>What a block device path on this host is, as libvirt asks before it picks QEMU's host_cdrom driver.</summary>
public static class BlockDevices
{
    private const int ScsiCdromMajor = 11;
    private const int IdeMajor0 = 3;

    /// <summary>
    /// True for a CD-ROM drive: a block device of the SCSI CD-ROM major (11, /dev/sr*), or an IDE one whose
    /// /sys entry says "cdrom". A missing path, a file, or a disk is not.
    /// </summary>
    public static bool IsCdrom(string path)
    {
        if (NativeFiles.StatDevice(path) is not { } device || (device.Mode & 0xF000) != NativeFiles.BlockDeviceType)
            return false;
        if (device.Major == ScsiCdromMajor)
            return true;
        return device.Major == IdeMajor0 && ReadsCdrom($"/sys/dev/block/{device.Major}:{device.Minor}/device/media");
    }

    private static bool ReadsCdrom(string mediaPath)
    {
        try
        {
            return File.Exists(mediaPath) && File.ReadAllText(mediaPath).Trim() == "cdrom";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
