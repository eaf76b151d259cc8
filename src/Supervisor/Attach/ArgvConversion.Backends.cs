using System.Globalization;
using System.Text.RegularExpressions;
using Virt.Protocol.Domains;

namespace Virt.Supervisor.Attach;

internal sealed partial class ArgvConversion
{
    /// <summary>A host-side object a front-end device refers to by id (chardev, netdev, blockdev node, -drive if=none, -object).</summary>
    private sealed record Backend(ArgvOption Option, QemuOptionValue Value);

    private readonly Dictionary<string, Backend> _chardevs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Backend> _netdevs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Backend> _blockdevs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Backend> _drives = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Backend> _objects = new(StringComparer.Ordinal);
    private readonly HashSet<ArgvOption> _backendOptions = [];
    private readonly HashSet<ArgvOption> _usedBackends = [];
    private readonly List<AudioDevice> _audios = [];
    private string? _memoryBackend;

    private bool IsBackend(ArgvOption o) => _backendOptions.Contains(o);

    private void CollectBackends()
    {
        foreach (var o in _options)
        {
            switch (o.Name)
            {
                case "chardev": Register(o, _chardevs, "backend", "id"); break;
                case "netdev": Register(o, _netdevs, "type", "id"); break;
                case "blockdev": Register(o, _blockdevs, null, "node-name"); break;
                case "object": Register(o, _objects, "qom-type", "id"); break;
                case "drive":
                    if (QemuOptionValue.Parse(o.Name, Value(o), "file").Take("if") == "none")
                        Register(o, _drives, "file", "id");
                    break;
                case "audiodev": Audiodev(o); break;
            }
        }
    }

    private void Register(ArgvOption o, Dictionary<string, Backend> table, string? impliedKey, string idKey)
    {
        var value = QemuOptionValue.Parse(o.Name, Value(o), impliedKey);
        _backendOptions.Add(o);
        if (value.Take(idKey) is { } id)
            table[id] = new Backend(o, value);
        // Without an id nothing can refer to it: it stays as passthrough.
    }

    private void Audiodev(ArgvOption o)
    {
        _backendOptions.Add(o);
        var value = QemuOptionValue.Parse(o.Name, Value(o), "driver");
        var match = Regex.Match(value.Take("id") ?? "", "^audio([0-9]+)$");
        var driver = value.Take("driver");
        if (match.Success && driver is not null && value.Unused.Count == 0
            && int.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            _audios.Add(new AudioDevice(id, driver));
            _usedBackends.Add(o);
        }
    }

    /// <summary>The RAM object that -machine memory-backend= names is just how libvirt states -m; anything else is kept.</summary>
    private void FinishMemoryBackend()
    {
        if (_memoryBackend is null)
            return;
        if (_objects.TryGetValue(_memoryBackend, out var ram) && ram.Value.Take("qom-type") == "memory-backend-ram"
            && ram.Value.Take("size") is { } size && ulong.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes)
            && _memoryKiB is { } kib && bytes == kib * 1024 && ram.Value.Unused.Count == 0)
        {
            _usedBackends.Add(ram.Option);
            return;
        }
        var machine = _options.First(o => o.Name is "machine" or "M");
        _passthrough[(machine.Position, 1)] = [machine.Tokens[0], "memory-backend=" + QemuOptionValue.Escape(_memoryBackend)];
    }

    private void PassThroughUnusedBackends()
    {
        FinishMemoryBackend();
        foreach (var o in _backendOptions)
        {
            if (!_usedBackends.Contains(o))
                PassThrough(o);
        }
    }
}
