using System.Security.Cryptography;

namespace Virt.Cli.Editing;

/// <summary>
/// The file the editor works on: in $TMPDIR (else /tmp), created new with mode 0600 because it holds the secure XML
/// (display passwords); removed when disposed.
/// </summary>
internal sealed class PrivateTempFile : IDisposable
{
    private const string Letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    private PrivateTempFile(string path) => Path = path;

    public string Path { get; }

    public static async Task<PrivateTempFile> CreateAsync(Func<string, string?> environment, string text, CancellationToken ct)
    {
        var dir = environment("TMPDIR") is { Length: > 0 } tmp ? tmp : "/tmp";
        for (var attempt = 0; ; attempt++)
        {
            var path = System.IO.Path.Combine(dir, $"virt{RandomNumberGenerator.GetString(Letters, 6)}.xml");
            FileStream stream;
            try
            {
                stream = new FileStream(path, new FileStreamOptions
                {
                    Mode = FileMode.CreateNew,
                    Access = FileAccess.Write,
                    UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                });
            }
            catch (IOException) when (File.Exists(path) && attempt < 100)
            {
                continue; // a name taken by another file: draw again, never open someone else's
            }
            var file = new PrivateTempFile(path);
            try
            {
                await using (stream)
                await using (var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false)))
                    await writer.WriteAsync(text.AsMemory(), ct);
                return file;
            }
            catch
            {
                file.Dispose();
                throw;
            }
        }
    }

    public void Dispose()
    {
        try
        {
            File.Delete(Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The edit's outcome stands; a leftover file in the temporary directory is the lesser harm.
        }
    }
}
