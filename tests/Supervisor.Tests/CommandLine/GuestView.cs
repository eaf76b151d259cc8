using System.Text.Json.Nodes;

namespace Virt.Supervisor.Tests.CommandLine;

/// <summary>
/// What a QEMU command line means to the guest, taken apart so two command lines can be compared for it: the machine
/// and its switches, memory, CPUs, clock, boot, and every device with its bus, address, boot index and what backs it.
/// Host-side details that the guest cannot see (node names, fds, secrets, log and sandbox options) are left out.
/// </summary>
internal sealed class GuestView
{
    public Dictionary<string, string> Settings { get; } = [];
    public Dictionary<string, Dictionary<string, string>> Devices { get; } = [];

    /// <summary>Device properties the guest sees or that say what backs a device.</summary>
    private static readonly string[] DeviceKeys =
    [
        "driver", "bus", "addr", "multifunction", "bootindex", "port", "chassis", "masterbus", "firstport", "index",
        "unit", "scsi-id", "lun", "channel", "mac", "nr", "name", "serial", "wwn", "vectors", "num_queues", "ports",
        "p2", "p3", "vram_size", "ram_size", "vgamem_mb", "max_outputs", "iobase", "irq",
    ];

    public static GuestView Of(IReadOnlyList<string> argv, Func<string, string>? machineName = null)
    {
        var view = new GuestView();
        var blockdevs = new Dictionary<string, JsonObject>();
        var netdevs = new Dictionary<string, string>();
        var chardevs = new Dictionary<string, string>();
        for (var i = 0; i + 1 < argv.Count; i++)
        {
            var (option, value) = (argv[i], argv[i + 1]);
            switch (option)
            {
                case "-blockdev" when value.StartsWith('{'):
                    var node = JsonNode.Parse(value)!.AsObject();
                    blockdevs[(string)node["node-name"]!] = node;
                    break;
                case "-netdev":
                    var netdev = Options(value);
                    netdevs[netdev.GetValueOrDefault("id", "")] = netdev.GetValueOrDefault("type", netdev.GetValueOrDefault("", ""));
                    break;
                case "-chardev":
                    var chardev = Options(value);
                    chardevs[chardev.GetValueOrDefault("id", "")] = chardev.GetValueOrDefault("", "");
                    break;
            }
        }
        var unnamed = 0;
        for (var i = 0; i + 1 < argv.Count; i++)
        {
            var (option, value) = (argv[i], argv[i + 1]);
            switch (option)
            {
                case "-machine":
                    var machine = Options(value);
                    var type = machine.GetValueOrDefault("type", machine.GetValueOrDefault("", ""));
                    view.Settings["machine"] = machineName?.Invoke(type) ?? type;
                    foreach (var key in new[] { "acpi", "hpet", "usb", "smm", "vmport", "kernel_irqchip", "graphics", "i8042" })
                    {
                        if (machine.TryGetValue(key, out var v))
                            view.Settings[$"machine.{key}"] = v;
                    }
                    break;
                case "-m":
                    var memory = Options(value);
                    view.Settings["memory"] = memory.GetValueOrDefault("size", memory.GetValueOrDefault("", ""));
                    break;
                case "-smp":
                    var smp = Options(value);
                    view.Settings["cpus"] = smp.GetValueOrDefault("cpus", smp.GetValueOrDefault("", ""));
                    foreach (var key in new[] { "sockets", "dies", "cores", "threads", "maxcpus" })
                        view.Settings[$"smp.{key}"] = smp.GetValueOrDefault(key, "");
                    break;
                case "-cpu":
                    view.Settings["cpu"] = value;
                    break;
                case "-rtc" or "-boot" or "-watchdog-action":
                    view.Settings[option] = value;
                    break;
                case "-global":
                    view.Settings[$"-global {value}"] = "on";
                    break;
                case "-no-reboot" or "-no-acpi" or "-no-hpet":
                    view.Settings[option] = "on";
                    break;
                case "-device":
                    var device = DeviceProperties(value);
                    var props = new Dictionary<string, string>();
                    foreach (var key in DeviceKeys)
                    {
                        if (device.TryGetValue(key, out var v))
                            props[key] = v;
                    }
                    if (device.TryGetValue("drive", out var drive))
                        props["drive"] = Backing(blockdevs, drive);
                    if (device.TryGetValue("netdev", out var net))
                        props["netdev"] = netdevs.GetValueOrDefault(net, "?");
                    if (device.TryGetValue("chardev", out var chr))
                        props["chardev"] = chardevs.GetValueOrDefault(chr, "?");
                    // A device without an id is known by what it is and where it sits, which the guest sees; an id it does not.
                    var id = device.GetValueOrDefault("id") ?? $"{props["driver"]}@{props.GetValueOrDefault("bus")}/{props.GetValueOrDefault("addr")}";
                    if (view.Devices.ContainsKey(id))
                        id += $"#{unnamed++}";
                    view.Devices[id] = props;
                    break;
            }
        }
        return view;
    }

    /// <summary>The differences that matter to the guest, one line each; empty when both mean the same.</summary>
    public static List<string> Differences(GuestView libvirt, GuestView ours)
    {
        var lines = new List<string>();
        var ourDevices = Reconciled(libvirt, ours);
        foreach (var key in libvirt.Settings.Keys.Union(ours.Settings.Keys).Order(StringComparer.Ordinal))
        {
            var (theirs, mine) = (libvirt.Settings.GetValueOrDefault(key), ours.Settings.GetValueOrDefault(key));
            if (theirs != mine)
                lines.Add($"{key}: libvirt {theirs ?? "(none)"}, ours {mine ?? "(none)"}");
        }
        foreach (var id in libvirt.Devices.Keys.Union(ourDevices.Keys).Order(StringComparer.Ordinal))
        {
            if (!ourDevices.TryGetValue(id, out var ourDevice))
            {
                lines.Add($"device {id} ({libvirt.Devices[id]["driver"]}): missing in ours");
                continue;
            }
            if (!libvirt.Devices.TryGetValue(id, out var theirs))
            {
                lines.Add($"device {id} ({ourDevice["driver"]}): only in ours");
                continue;
            }
            foreach (var key in theirs.Keys.Union(ourDevice.Keys).Order(StringComparer.Ordinal))
            {
                var (t, m) = (theirs.GetValueOrDefault(key), ourDevice.GetValueOrDefault(key));
                // libvirt's suite pretends /dev/cdrom is a CD-ROM drive; whether a path is one depends on the host.
                if (key == "drive" && t is not null && m is not null && SameButForCdromProbe(t, m))
                    continue;
                if (t != m)
                    lines.Add($"device {id}.{key}: libvirt {t ?? "(none)"}, ours {m ?? "(none)"}");
            }
        }
        return lines;
    }

    private static bool SameButForCdromProbe(string libvirt, string ours)
    {
        var words = libvirt.Split(' ');
        return words.Length > 1 && words[0] == "host_cdrom" && !File.Exists(words[1]) && ours == "host_device" + libvirt["host_cdrom".Length..];
    }

    /// <summary>Our devices, with those libvirt gives no id known as libvirt knows them: by driver, bus and address.</summary>
    private static Dictionary<string, Dictionary<string, string>> Reconciled(GuestView libvirt, GuestView ours)
    {
        var mine = new Dictionary<string, Dictionary<string, string>>(ours.Devices);
        foreach (var (key, theirs) in libvirt.Devices)
        {
            if (mine.ContainsKey(key) || !key.Contains('@'))
                continue;
            var match = mine.FirstOrDefault(d => !libvirt.Devices.ContainsKey(d.Key) && d.Value["driver"] == theirs["driver"]
                && d.Value.GetValueOrDefault("bus") == theirs.GetValueOrDefault("bus") && d.Value.GetValueOrDefault("addr") == theirs.GetValueOrDefault("addr"));
            if (match.Key is not null)
            {
                mine.Remove(match.Key);
                mine[key] = match.Value;
            }
        }
        return mine;
    }

    /// <summary>A drive as the guest sees it: the format over the protocol and the file or target it reads.</summary>
    private static string Backing(Dictionary<string, JsonObject> blockdevs, string nodeName)
    {
        var parts = new List<string>();
        var current = nodeName;
        for (var depth = 0; depth < 8 && blockdevs.TryGetValue(current, out var node); depth++)
        {
            var driver = (string?)node["driver"] ?? "?";
            parts.Add(driver);
            if (node["filename"] is { } file)
                parts.Add((string)file!);
            if (node["file"] is JsonValue child)
                current = (string)child!;
            else
                break;
        }
        if (blockdevs.GetValueOrDefault(nodeName)?["read-only"] is JsonValue ro && (bool)ro)
            parts.Add("read-only");
        return parts.Count == 0 ? nodeName : string.Join(" ", parts);
    }

    private static Dictionary<string, string> DeviceProperties(string value)
    {
        if (!value.StartsWith('{'))
        {
            var legacy = Options(value);
            legacy["driver"] = legacy.GetValueOrDefault("driver", legacy.GetValueOrDefault("", ""));
            return legacy;
        }
        var json = JsonNode.Parse(value)!.AsObject();
        return json.ToDictionary(p => p.Key, p => p.Value switch
        {
            JsonValue v when v.TryGetValue(out string? s) => s!,
            null => "null",
            var v => v.ToJsonString(),
        });
    }

    /// <summary>QEMU's key=value list (",," escapes a comma); a first item without '=' is stored under "".</summary>
    private static Dictionary<string, string> Options(string value)
    {
        if (value.StartsWith('{'))
            return JsonNode.Parse(value)!.AsObject().ToDictionary(p => p.Key, p => p.Value is JsonValue v && v.TryGetValue(out string? s) ? s! : p.Value?.ToJsonString() ?? "null");
        var result = new Dictionary<string, string>();
        var items = new List<string>();
        var current = new System.Text.StringBuilder();
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == ',' && i + 1 < value.Length && value[i + 1] == ',')
            {
                current.Append(',');
                i++;
            }
            else if (value[i] == ',')
            {
                items.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(value[i]);
            }
        }
        items.Add(current.ToString());
        for (var i = 0; i < items.Count; i++)
        {
            var eq = items[i].IndexOf('=');
            if (eq < 0)
                result[i == 0 ? "" : items[i]] = i == 0 ? items[i] : "on";
            else
                result[items[i][..eq]] = items[i][(eq + 1)..];
        }
        return result;
    }
}
