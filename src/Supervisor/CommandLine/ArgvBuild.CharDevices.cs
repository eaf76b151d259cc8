using System.Text.Json.Nodes;
using Virt.Protocol.Domains;

namespace Virt.Supervisor.CommandLine;

// Serial ports and consoles: a -chardev host side and a guest device each. A serial-type console
// is the first serial port seen again (libvirt's compatibility console), not a second device.
internal sealed partial class ArgvBuild
{
    private void WriteCharDevices()
    {
        var serials = _def.Devices.Serials;
        for (var i = 0; i < serials.Count; i++)
        {
            var serial = serials[i];
            var port = serial.TargetPort ?? i;
            WriteSerial(serial, port, $"serial {port}");
        }

        var consoles = _def.Devices.Consoles;
        for (var i = 0; i < consoles.Count; i++)
        {
            var console = consoles[i];
            var what = $"console {i}";
            switch (console.TargetType)
            {
                case null or "serial":
                    if (i == 0 && serials.Count > 0)
                        continue; // the alias of serial 0
                    if (i == 0)
                    {
                        WriteSerial(console, 0, what);
                        continue;
                    }
                    throw Unsupported($"{what}: only the first console can be a serial console");
                case "virtio":
                    if (!_hasVirtioSerial)
                        WriteVirtioSerial(0, null);
                    _argv.Add("-chardev", Chardev(console, $"charconsole{i}", what));
                    // As libvirt: QEMU puts the console on the first virtio-serial bus unless an address names another.
                    var console0 = new JsonObject { ["driver"] = "virtconsole" };
                    if (console.Address is { Type: "virtio-serial" } port)
                    {
                        console0["bus"] = $"virtio-serial{port["controller"] ?? "0"}.{port["bus"] ?? "0"}";
                        if (port["port"] is { } nr)
                            console0["nr"] = int.Parse(nr, System.Globalization.CultureInfo.InvariantCulture);
                    }
                    console0["chardev"] = $"charconsole{i}";
                    console0["id"] = $"console{i}";
                    _argv.Json("-device", console0);
                    break;
                default:
                    throw Unsupported($"{what}: <target type='{console.TargetType}'> is not supported; use serial or virtio");
            }
        }
    }

    /// <summary>
    /// Virtio channels: a chardev each and a virtserialport at its address. A unix channel without a path gets one in
    /// the domain's runtime directory, named after the port (the guest agent's socket); spicevmc is SPICE's agent.
    /// </summary>
    private void WriteChannels()
    {
        var channels = _def.Devices.Channels;
        for (var i = 0; i < channels.Count; i++)
        {
            var channel = channels[i];
            var what = $"channel {i}";
            var id = $"charchannel{i}";
            switch (channel.SourceType)
            {
                case CharDeviceSourceType.Spicevmc:
                    if (!_def.Devices.Graphics.Any(g => g.Type == "spice"))
                        throw Unsupported($"{what}: a spicevmc channel needs <graphics type='spice'>");
                    _argv.Add("-chardev", new QemuOpts("spicevmc").Add("id", id).Add("name", "vdagent").ToString());
                    break;
                case CharDeviceSourceType.Unix when channel.Path is null:
                    var name = channel.TargetName ?? $"channel{i}";
                    if (name.Contains('/') || name.StartsWith('.'))
                        throw Unsupported($"{what}: the port name '{name}' cannot name a socket file; give <source path=...>");
                    _argv.Add("-chardev", Chardev(channel with { Path = Path.Combine(_ctx.RuntimeDirectory, name), Mode = channel.Mode ?? "bind" }, id, what));
                    break;
                default:
                    _argv.Add("-chardev", Chardev(channel, id, what));
                    break;
            }
            var port = channel.Address ?? throw Unsupported($"{what} has no virtio-serial address");
            var device = new JsonObject
            {
                ["driver"] = "virtserialport",
                ["bus"] = $"virtio-serial{port["controller"] ?? "0"}.{port["bus"] ?? "0"}",
                ["nr"] = int.Parse(port["port"] ?? "1", System.Globalization.CultureInfo.InvariantCulture),
                ["chardev"] = id,
                ["id"] = $"channel{i}",
            };
            if (channel.TargetName is { } targetName)
                device["name"] = targetName;
            else if (channel.SourceType == CharDeviceSourceType.Spicevmc)
                device["name"] = "com.redhat.spice.0";
            _argv.Json("-device", device);
        }
    }

    private void WriteSerial(CharDevice serial, int port, string what)
    {
        var id = $"serial{port}";
        _argv.Add("-chardev", Chardev(serial, $"char{id}", what));
        var model = serial.TargetModel ?? serial.TargetType;
        var driver = model switch
        {
            null or "isa-serial" or "serial" => "isa-serial",
            "usb-serial" or "pci-serial" => model,
            _ => throw Unsupported($"{what}: <target type='{model}'> is not supported; use isa-serial, usb-serial or pci-serial"),
        };
        var device = new JsonObject { ["driver"] = driver, ["chardev"] = $"char{id}", ["id"] = id };
        switch (driver)
        {
            case "isa-serial":
                if (port > 3)
                    throw Unsupported($"{what}: ISA serial ports are 0-3");
                device["index"] = port;
                break;
            case "usb-serial":
                PlaceOnUsb(device, serial.Address, what);
                break;
            default:
                _pci.Place(device, serial.Address, what);
                break;
        }
        _argv.Json("-device", device);
    }

    /// <summary>The host side; with &lt;log&gt;, QEMU itself copies the guest's output to the file (logfile=, logappend=).</summary>
    private static string Chardev(CharDevice source, string id, string what)
    {
        var chardev = HostSide(source, id, what);
        if (source.LogFile is { } log)
        {
            chardev.Add("logfile", log);
            if (source.LogAppend is { } append)
                chardev.Add("logappend", append);
        }
        return chardev.ToString();
    }

    private static QemuOpts HostSide(CharDevice source, string id, string what)
    {
        switch (source.SourceType)
        {
            case CharDeviceSourceType.Pty:
                return new QemuOpts("pty").Add("id", id);
            case CharDeviceSourceType.Null:
                return new QemuOpts("null").Add("id", id);
            case CharDeviceSourceType.File:
                var file = new QemuOpts("file").Add("id", id)
                    .Add("path", source.Path ?? throw Unsupported($"{what}: <source path=...> is missing"));
                if (source.Append is { } append)
                    file.Add("append", append);
                return file;
            case CharDeviceSourceType.Unix:
                var unix = new QemuOpts("socket").Add("id", id)
                    .Add("path", source.Path ?? throw Unsupported($"{what}: <source path=...> is missing"));
                return Listening(unix, source.Mode, what);
            case CharDeviceSourceType.Tcp:
                var tcp = new QemuOpts("socket").Add("id", id)
                    .Add("host", source.Host ?? throw Unsupported($"{what}: <source host=...> is missing"))
                    .Add("port", source.Service ?? throw Unsupported($"{what}: <source service=...> is missing"));
                Listening(tcp, source.Mode, what);
                return source.Protocol switch
                {
                    null or "raw" => tcp,
                    "telnet" => tcp.Add("telnet", true),
                    _ => throw Unsupported($"{what}: <protocol type='{source.Protocol}'> is not supported; use raw or telnet"),
                };
            default:
                throw Unsupported($"{what}: source type is not supported");
        }
    }

    private static QemuOpts Listening(QemuOpts socket, string? mode, string what) => mode switch
    {
        "bind" => socket.Add("server", true).Add("wait", false),
        null or "connect" => socket,
        _ => throw Unsupported($"{what}: <source mode='{mode}'> is not bind or connect"),
    };
}
