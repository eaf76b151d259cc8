namespace Virt.TestSupport;

/// <summary>A private directory under /tmp, removed on dispose; short so UNIX socket paths fit.</summary>
public sealed class TempDirectory : IDisposable
{
    public string Path { get; }

    public TempDirectory(string prefix = "vt")
    {
        Path = Directory.CreateTempSubdirectory(prefix).FullName;
    }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
