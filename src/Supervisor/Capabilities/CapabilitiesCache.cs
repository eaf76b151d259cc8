using System.Collections.Concurrent;
using Virt.Protocol.Errors;

namespace Virt.Supervisor.Capabilities;

/// <summary>Probes each emulator once per (path, size, mtime); callers asking at the same time share one probe.</summary>
public sealed class CapabilitiesCache(Func<string, CancellationToken, Task<QemuCapabilities>>? probe = null)
{
    private readonly Func<string, CancellationToken, Task<QemuCapabilities>> _probe = probe ?? CapabilitiesProbe.ProbeAsync;
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    private sealed record Entry(long Size, DateTime ModifiedUtc, Lazy<Task<QemuCapabilities>> Capabilities);

    public async Task<QemuCapabilities> GetAsync(string emulatorPath, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(emulatorPath);
        var path = Path.GetFullPath(emulatorPath);
        var file = new FileInfo(path);
        if (!file.Exists)
            throw new VirtException(ErrorCode.OperationFailed, $"emulator binary {path} does not exist");

        // Stat the real file behind a symlink (qemu-kvm -> qemu-system-x86_64): an upgrade changes the target, not the link.
        if (file.ResolveLinkTarget(returnFinalTarget: true) is FileInfo target)
            file = target;
        var size = file.Length;
        var modified = file.LastWriteTimeUtc;
        var entry = _entries.AddOrUpdate(path,
            _ => NewEntry(path, size, modified),
            (_, existing) => existing.Size == size && existing.ModifiedUtc == modified ? existing : NewEntry(path, size, modified));
        try
        {
            // The probe itself is not cancelled by one caller: others may be waiting on it.
            return await entry.Capabilities.Value.WaitAsync(ct).ConfigureAwait(false);
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            // A failed probe is not cached: the next call tries again.
            _entries.TryRemove(KeyValuePair.Create(path, entry));
            throw;
        }
    }

    /// <summary>The probe result already at hand for an emulator, without waiting for or starting a probe.</summary>
    public bool TryGetCached(string emulatorPath, out QemuCapabilities capabilities)
    {
        capabilities = null!;
        if (!_entries.TryGetValue(Path.GetFullPath(emulatorPath), out var entry) || !entry.Capabilities.IsValueCreated)
            return false;
        var task = entry.Capabilities.Value;
        if (!task.IsCompletedSuccessfully)
            return false;
        capabilities = task.Result;
        return true;
    }

    /// <summary>Forgets every cached result, e.g. after an emulator upgrade the caller knows about.</summary>
    public void Clear() => _entries.Clear();

    private Entry NewEntry(string path, long size, DateTime modified) =>
        new(size, modified, new Lazy<Task<QemuCapabilities>>(() => _probe(path, CancellationToken.None)));
}
