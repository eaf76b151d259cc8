using Virt.Supervisor.Native;
using System.Collections.Concurrent;
using System.Text;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;

namespace Virt.Actors.Config;

/// <summary>
/// Persistent domain configs as libvirt keeps them: NAME.xml in a private directory, written atomically,
/// autostart as a symlink autostart/NAME.xml to the config. Not thread-safe: one owner (the registry).
/// </summary>
public sealed class ConfigStore
{
    private const string Extension = ".xml";
    private const string TempSuffix = ".virt-tmp";
    private const UnixFileMode PrivateDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private readonly Dictionary<string, CachedFile> _cache = new(StringComparer.Ordinal);

    public string Directory { get; }
    public string AutostartDirectory => Path.Combine(Directory, "autostart");

    private ConfigStore(string directory) => Directory = directory;

    /// <summary>
    /// Creates the directory 0700 if missing; refuses one owned by another user or open to group or others,
    /// since anyone who can write a config there can make us run any command line.
    /// </summary>
    public static ConfigStore Open(string directory)
    {
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("the config store needs UNIX file modes");
        var full = Path.GetFullPath(directory);
        try
        {
            if (!System.IO.Directory.Exists(full))
                System.IO.Directory.CreateDirectory(full, PrivateDirectory);
            var (uid, _, mode) = NativeFiles.Stat(full);
            var me = NativeFiles.GetEuid();
            if (uid != me)
                throw new VirtException(ErrorCode.OperationDenied,
                    $"config directory {full} belongs to uid {uid}, not to us (uid {me}); refusing to use it");
            if ((mode & 0x3f) != 0)
                throw new VirtException(ErrorCode.OperationDenied,
                    $"config directory {full} has mode {Convert.ToString(mode & 0xfff, 8).PadLeft(4, '0')}; " +
                    $"group and others must have no access (chmod 700 {full})");
            RemoveOwnTempFiles(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VirtException(ErrorCode.OperationFailed, $"cannot use config directory {full}: {e.Message}", e);
        }
        return new ConfigStore(full);
    }

    public string ConfigPath(string name) => Path.Combine(Directory, name + Extension);

    private Task<ConfigScan>? _ahead;

    /// <summary>
    /// Starts the first scan now, off the calling thread, so its file reads overlap what the runtime does meanwhile
    /// (the actor system's start); <see cref="InitialScanAsync"/> then takes its result.
    /// </summary>
    public void ScanAhead() => _ahead ??= Task.Run(Scan);

    /// <summary>The scan started ahead, or a new one; for the registry's start-up load, once.</summary>
    public Task<ConfigScan> InitialScanAsync() => Interlocked.Exchange(ref _ahead, null) ?? Task.Run(Scan);

    private string AutostartLink(string name) => Path.Combine(AutostartDirectory, name + Extension);

    /// <summary>
    /// Loads every NAME.xml; files unchanged since the last scan (same mtime and size) are not read again.
    /// Broken files and name or UUID clashes are skipped and reported, never touched.
    /// </summary>
    public ConfigScan Scan()
    {
        var files = new DirectoryInfo(Directory)
            .EnumerateFiles("*" + Extension)
            .Where(f => !f.Name.StartsWith('.'))
            .OrderBy(f => f.Name, StringComparer.Ordinal)
            .ToList();

        var fresh = new ConcurrentDictionary<string, CachedFile>(StringComparer.Ordinal);
        var stale = files.Where(f => !_cache.TryGetValue(f.Name, out var c) || !c.Matches(Stamp(f))).ToList();
        // One worker per core: more pool threads would only fight over the cores and stretch GC suspensions.
        var options = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount };
        Parallel.ForEach(stale, options, f => fresh[f.Name] = Read(f));

        var present = files.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in _cache.Keys.Where(k => !present.Contains(k)).ToList())
            _cache.Remove(gone);
        foreach (var (name, cached) in fresh)
            _cache[name] = cached;

        var loaded = new List<StoredConfig>(files.Count);
        var problems = new List<ConfigProblem>();
        HashSet<string> autostart;
        try
        {
            autostart = AutostartNames();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problems.Add(new ConfigProblem("autostart", $"cannot read the autostart links: {e.Message}"));
            autostart = [];
        }
        var uuidHolders = new Dictionary<Guid, string>();
        foreach (var file in files)
        {
            var cached = _cache[file.Name];
            if (cached.Definition is not { } definition)
            {
                problems.Add(new ConfigProblem(file.Name, cached.Error!));
                continue;
            }
            if (definition.Name + Extension != file.Name)
            {
                problems.Add(new ConfigProblem(file.Name,
                    $"file name does not match domain name '{definition.Name}' (expected {definition.Name}{Extension})"));
                continue;
            }
            if (uuidHolders.TryGetValue(definition.Uuid, out var holder))
            {
                problems.Add(new ConfigProblem(file.Name,
                    $"uuid {definition.Uuid:D} is already used by domain '{holder}' ({holder}{Extension})"));
                continue;
            }
            uuidHolders[definition.Uuid] = definition.Name;
            loaded.Add(new StoredConfig(file.Name, definition, autostart.Contains(definition.Name)));
        }
        return new ConfigScan(loaded, problems, stale.Count);
    }

    /// <summary>Writes NAME.xml atomically: temp file beside it, fsync, rename, fsync the directory.</summary>
    public void Save(DomainDefinition definition)
    {
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("the config store needs UNIX file modes");
        var path = ConfigPath(definition.Name);
        // Named by UUID, not by name: any name that validates must save, and NAME plus a suffix may not fit in 255 bytes.
        var temp = Path.Combine(Directory, "." + definition.Uuid.ToString("D") + TempSuffix);
        var bytes = Encoding.UTF8.GetBytes(DomainXml.Format(definition, secure: true));
        try
        {
            AtomicFile.Write(path, temp, bytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VirtException(ErrorCode.OperationFailed, $"cannot write config {path}: {e.Message}", e);
        }
    }

    /// <summary>Removes NAME.xml and its autostart link (virsh undefine).</summary>
    public void Delete(string name)
    {
        var path = ConfigPath(name);
        try
        {
            DeleteAutostartLink(name);
            File.Delete(path);
            _cache.Remove(name + Extension);
            NativeFiles.FsyncDirectory(Directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VirtException(ErrorCode.OperationFailed, $"cannot delete config {path}: {e.Message}", e);
        }
    }

    /// <summary>Creates or removes the symlink autostart/NAME.xml pointing at NAME.xml.</summary>
    public void SetAutostart(string name, bool enabled)
    {
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("the config store needs UNIX file modes");
        var link = AutostartLink(name);
        try
        {
            if (enabled)
            {
                System.IO.Directory.CreateDirectory(AutostartDirectory, PrivateDirectory);
                if (!IsAutostart(name))
                {
                    File.Delete(link);
                    File.CreateSymbolicLink(link, ConfigPath(name));
                }
            }
            else
            {
                DeleteAutostartLink(name);
            }
            if (System.IO.Directory.Exists(AutostartDirectory))
                NativeFiles.FsyncDirectory(AutostartDirectory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VirtException(ErrorCode.OperationFailed,
                $"cannot {(enabled ? "create" : "remove")} autostart link {link}: {e.Message}", e);
        }
    }

    private void DeleteAutostartLink(string name)
    {
        if (System.IO.Directory.Exists(AutostartDirectory))
            File.Delete(AutostartLink(name));
    }

    /// <summary>True when autostart/NAME.xml is a link to this domain's config, as libvirt checks it.</summary>
    public bool IsAutostart(string name) => AutostartNames().Contains(name);

    private HashSet<string> AutostartNames()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (!System.IO.Directory.Exists(AutostartDirectory))
            return names;
        foreach (var link in new DirectoryInfo(AutostartDirectory).EnumerateFiles("*" + Extension))
        {
            var name = link.Name[..^Extension.Length];
            if (link.LinkTarget is { } target &&
                Path.GetFullPath(target, AutostartDirectory) == ConfigPath(name))
                names.Add(name);
        }
        return names;
    }

    /// <summary>Never throws: whatever a file is or does, it becomes a definition or a reason it was skipped.</summary>
    private static CachedFile Read(FileInfo file)
    {
        var (mtime, size) = Stamp(file);
        try
        {
            var definition = DomainXml.ParseStoredConfig(ConfigFileText.Read(file.FullName));
            return new CachedFile(mtime, size, definition, null);
        }
        catch (VirtException e)
        {
            return new CachedFile(mtime, size, null, e.Message);
        }
        catch (ConfigFileException e)
        {
            return new CachedFile(mtime, size, null, e.Message);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return new CachedFile(mtime, size, null, $"cannot read: {e.Message}");
        }
    }

    /// <summary>The file's mtime and size, or a stamp that never matches when it cannot be read (a dangling link).</summary>
    private static (long MtimeTicks, long Size) Stamp(FileInfo file)
    {
        try
        {
            return (file.LastWriteTimeUtc.Ticks, file.Length);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (-1, -1);
        }
    }

    /// <summary>Only our own leftovers from a crash mid-write (".UUID.virt-tmp", and ".NAME.xml.virt-tmp" of older versions); never a user's file.</summary>
    private static void RemoveOwnTempFiles(string directory)
    {
        foreach (var temp in System.IO.Directory.EnumerateFiles(directory, ".*" + TempSuffix))
        {
            var stem = Path.GetFileName(temp)[1..^TempSuffix.Length];
            if (Guid.TryParseExact(stem, "D", out _) || stem.EndsWith(Extension, StringComparison.Ordinal))
                TryDeleteFile(temp);
        }
    }

    private static void TryDeleteFile(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private sealed record CachedFile(long MtimeTicks, long Size, DomainDefinition? Definition, string? Error)
    {
        public bool Matches((long MtimeTicks, long Size) stamp) => stamp.MtimeTicks >= 0 && stamp == (MtimeTicks, Size);
    }
}
