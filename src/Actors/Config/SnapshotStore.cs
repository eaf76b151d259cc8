using System.Text;
using Virt.Protocol.Errors;
using Virt.Protocol.Snapshots;
using Virt.Supervisor.Paths;

namespace Virt.Actors.Config;

/// <summary>
/// Snapshot metadata on disk: a directory per domain, a file per snapshot, each written atomically. Unreadable files
/// are skipped, never deleted; the registry reads them when a snapshot verb needs them (they are few and small).
/// </summary>
internal sealed class SnapshotStore(VirtPaths paths)
{
    public IReadOnlyList<SnapshotDefinition> Load(string domain)
    {
        var dir = paths.SnapshotDir(domain);
        if (!Directory.Exists(dir))
            return [];
        var all = new List<SnapshotDefinition>();
        foreach (var file in Directory.EnumerateFiles(dir, "*.xml"))
        {
            try
            {
                all.Add(SnapshotDefinition.Parse(File.ReadAllText(file)));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or VirtException or FormatException)
            {
                // left for a person to look at; a snapshot verb does not fail over one bad file
            }
        }
        return [.. all.OrderBy(s => s.CreationTime).ThenBy(s => s.Name, StringComparer.Ordinal)];
    }

    public void Save(string domain, SnapshotDefinition snapshot)
    {
        var dir = paths.SnapshotDir(domain);
        try
        {
            Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            AtomicFile.Write(Path.Combine(dir, snapshot.Name + ".xml"), Path.Combine(dir, $".{snapshot.Name}.virt-tmp"),
                Encoding.UTF8.GetBytes(snapshot.Format(withActive: true)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VirtException(ErrorCode.OperationFailed, $"cannot save the metadata of snapshot '{snapshot.Name}': {e.Message}", e);
        }
    }

    public void Delete(string domain, string snapshot)
    {
        try
        {
            File.Delete(Path.Combine(paths.SnapshotDir(domain), snapshot + ".xml"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VirtException(ErrorCode.OperationFailed, $"cannot remove the metadata of snapshot '{snapshot}': {e.Message}", e);
        }
    }

    /// <summary>All of a domain's metadata (undefine --snapshots-metadata).</summary>
    public void DeleteAll(string domain)
    {
        var dir = paths.SnapshotDir(domain);
        if (Directory.Exists(dir))
            Directory.Delete(dir, recursive: true);
    }
}
