using System.Text.Json;
using Virt.Protocol.Errors;

namespace Virt.Supervisor.Status;

/// <summary>
/// Status files of running domains in one runtime directory, one per domain UUID, written atomically:
/// a temp file in the same directory, then a rename over the old file.
/// </summary>
/// <remarks>
/// No fsync: the rename alone keeps a daemon crash from ever showing a part-written file, and a status file only
/// matters while its QEMU lives, which a machine crash ends too (a file torn by one is reported and skipped, and a
/// stale one names a dead pid). An fsync cost milliseconds on every start, transition and destroy.
/// </remarks>
public sealed class StatusFileStore
{
    private const string Suffix = ".status.json";
    private const string TempMarker = ".tmp-";

    public string Directory { get; }

    public StatusFileStore(string directory)
    {
        Directory = Path.GetFullPath(directory);
    }

    public string PathFor(Guid uuid) => Path.Combine(Directory, uuid.ToString("D") + Suffix);

    /// <summary>Writes (or replaces) the status; readers see the old file or the new one, never a part.</summary>
    public void Write(DomainStatusFile status)
    {
        ArgumentNullException.ThrowIfNull(status);
        Validate(status);
        var target = PathFor(status.Uuid);
        var temp = Path.Combine(Directory, "." + Path.GetFileName(target) + TempMarker + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            if (!OperatingSystem.IsWindows())
                System.IO.Directory.CreateDirectory(Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using (var stream = new FileStream(temp, options))
            {
                JsonSerializer.Serialize(stream, status, StatusJsonContext.Default.DomainStatusFile);
            }
            File.Move(temp, target, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw new VirtException(ErrorCode.OperationFailed, $"cannot write status file {target}: {e.Message}", e);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>The domain's status file, or null when there is none; a broken file comes back with its error.</summary>
    public StatusFileReadResult? Read(Guid uuid)
    {
        var path = PathFor(uuid);
        return File.Exists(path) ? ReadFile(path) : null;
    }

    /// <summary>Every status file in the directory, broken ones included with their error; temp files are skipped.</summary>
    public IReadOnlyList<StatusFileReadResult> List()
    {
        if (!System.IO.Directory.Exists(Directory))
            return [];
        return System.IO.Directory.EnumerateFiles(Directory, "*" + Suffix)
            .Where(p => !Path.GetFileName(p).StartsWith('.'))
            .Order(StringComparer.Ordinal)
            .Select(ReadFile)
            .ToList();
    }

    /// <summary>Removes the domain's status file; false when there was none.</summary>
    public bool Delete(Guid uuid)
    {
        var path = PathFor(uuid);
        if (!File.Exists(path))
            return false;
        try
        {
            File.Delete(path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VirtException(ErrorCode.OperationFailed, $"cannot delete status file {path}: {e.Message}", e);
        }
    }

    private static StatusFileReadResult ReadFile(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            var status = JsonSerializer.Deserialize(stream, StatusJsonContext.Default.DomainStatusFile);
            if (status is null)
                return new StatusFileReadResult(path, null, "the file holds null");
            Validate(status);
            var expectedName = status.Uuid.ToString("D") + Suffix;
            if (Path.GetFileName(path) != expectedName)
                return new StatusFileReadResult(path, null, $"the file is for domain {status.Uuid} but named {Path.GetFileName(path)}");
            return new StatusFileReadResult(path, status, null);
        }
        catch (JsonException e)
        {
            return new StatusFileReadResult(path, null, $"not a valid status file: {e.Message}");
        }
        catch (VirtException e)
        {
            return new StatusFileReadResult(path, null, e.Message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new StatusFileReadResult(path, null, $"cannot read: {e.Message}");
        }
    }

    private static void Validate(DomainStatusFile status)
    {
        string? problem = status switch
        {
            { Version: not DomainStatusFile.CurrentVersion } => $"unsupported status file version {status.Version}",
            { Pid: <= 0 } => $"invalid pid {status.Pid}",
            { Name: null or "" } => "empty domain name",
            { MonitorPath: null or "" } => "empty monitor path",
            { State: null or "" } => "empty state",
            { DomainXml: null or "" } => "empty domain XML",
            _ => null,
        };
        if (problem is not null)
            throw new VirtException(ErrorCode.InternalError, problem);
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
