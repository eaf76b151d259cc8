using Virt.Supervisor.Native;

namespace Virt.Actors.Config;

/// <summary>
/// A file replaced whole or not at all: written to a temporary file beside it (0600), fsynced, renamed over it, and
/// the directory fsynced, so after a crash it is either the old file or the new one, never half of either.
/// </summary>
internal static class AtomicFile
{
    private const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <param name="temp">The temporary file's path in the same directory; removed when the write fails.</param>
    public static void Write(string path, string temp, ReadOnlySpan<byte> bytes)
    {
        try
        {
            using (var stream = new FileStream(temp, new FileStreamOptions
            {
                Mode = FileMode.Create,
                Access = FileAccess.Write,
                Share = FileShare.None,
                UnixCreateMode = PrivateFile,
            }))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
            NativeFiles.FsyncDirectory(Path.GetDirectoryName(path)!);
        }
        catch
        {
            try { File.Delete(temp); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
            throw;
        }
    }
}
