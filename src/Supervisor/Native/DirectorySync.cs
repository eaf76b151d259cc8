using System.Runtime.InteropServices;
using Virt.Protocol.Errors;

namespace Virt.Supervisor.Native;

/// <summary>fsync on a directory, so a rename in it survives a crash.</summary>
internal static class DirectorySync
{
    public static void Fsync(string directory)
    {
        var fd = LibC.Open(directory, LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC);
        if (fd < 0)
            throw new VirtException(ErrorCode.OperationFailed, $"cannot open directory {directory}: {LibC.StrError(Marshal.GetLastPInvokeError())}");
        try
        {
            if (LibC.Fsync(fd) != 0)
                throw new VirtException(ErrorCode.OperationFailed, $"cannot sync directory {directory}: {LibC.StrError(Marshal.GetLastPInvokeError())}");
        }
        finally
        {
            LibC.Close(fd);
        }
    }
}
