using Virt.Protocol.Domains;

namespace Virt.Supervisor.Attach;

internal sealed partial class ArgvConversion
{
    private readonly List<CharDevice> _serials = [];
    private readonly List<GraphicsDevice> _graphics = [];

    private int NextSerialPort()
    {
        var port = 0;
        while (_serials.Any(s => s.TargetPort == port))
            port++;
        return port;
    }

    private static CharDevice IsaSerial(CharDevice host, int port, string type = "isa-serial") =>
        host with { TargetType = type, TargetPort = port, TargetModel = type };

    /// <summary>-serial in QEMU's legacy chardev syntax: pty, null, none, file:, unix:, tcp:, telnet:, chardev:ID.</summary>
    private void LegacySerial(ArgvOption o)
    {
        var text = Value(o);
        if (text == "none")
            return;
        CharDevice? host;
        if (text.StartsWith("chardev:", StringComparison.Ordinal))
        {
            var id = text["chardev:".Length..];
            host = _chardevs.TryGetValue(id, out var backend) ? ReadChardev(backend.Value) : null;
            if (host is not null)
                _usedBackends.Add(backend!.Option);
        }
        else
        {
            host = ReadLegacyChardev(text);
        }
        if (host is null)
        {
            PassThrough(o); // stdio, vc, mon:stdio...: the model has no place for them
            return;
        }
        _serials.Add(IsaSerial(host, NextSerialPort()));
    }

    private static CharDevice? ReadLegacyChardev(string text)
    {
        var parts = QemuOptionValue.SplitEscaped(text);
        var spec = parts[0];
        var flags = parts.Skip(1).ToList();
        var server = flags.Remove("server") | flags.Remove("server=on");
        flags.RemoveAll(f => f is "nowait" or "wait=off" or "nodelay");
        var telnet = flags.Remove("telnet");
        if (flags.Count > 0)
            return null;
        if (spec == "pty" && !server)
            return new CharDevice { SourceType = CharDeviceSourceType.Pty };
        if (spec == "null" && !server)
            return new CharDevice { SourceType = CharDeviceSourceType.Null };
        if (spec.StartsWith("file:", StringComparison.Ordinal) && !server)
            return new CharDevice { SourceType = CharDeviceSourceType.File, Path = spec[5..] };
        if (spec.StartsWith("unix:", StringComparison.Ordinal))
            return new CharDevice { SourceType = CharDeviceSourceType.Unix, Path = spec[5..], Mode = server ? "bind" : "connect" };
        var isTelnet = spec.StartsWith("telnet:", StringComparison.Ordinal);
        if (spec.StartsWith("tcp:", StringComparison.Ordinal) || isTelnet)
        {
            var address = spec[(spec.IndexOf(':') + 1)..];
            var colon = address.LastIndexOf(':');
            if (colon < 0)
                return null;
            return new CharDevice
            {
                SourceType = CharDeviceSourceType.Tcp,
                Host = address[..colon].Trim('[', ']'),
                Service = address[(colon + 1)..],
                Mode = server ? "bind" : "connect",
                Protocol = isTelnet || telnet ? "telnet" : "raw",
            };
        }
        return null;
    }

    /// <summary>A -chardev backend as a serial's host side, or null for backends the model cannot hold.</summary>
    private static CharDevice? ReadChardev(QemuOptionValue v)
    {
        var backend = v.Take("backend");
        CharDevice? result = backend switch
        {
            "pty" => new CharDevice { SourceType = CharDeviceSourceType.Pty },
            "null" => new CharDevice { SourceType = CharDeviceSourceType.Null },
            "file" => new CharDevice { SourceType = CharDeviceSourceType.File, Path = v.Take("path"), Append = v.TakeBool("append") == true ? true : null },
            "socket" => ReadSocket(v),
            _ => null,
        };
        if (result is not null && v.Take("logfile") is { } log)
            result = result with { LogFile = log, LogAppend = v.TakeBool("logappend") };
        return result is not null && v.Unused.Count == 0 ? result : null;
    }

    private static CharDevice? ReadSocket(QemuOptionValue v)
    {
        var mode = v.TakeBool("server") == true ? "bind" : "connect";
        v.Ignore("wait", "nodelay");
        if (v.Take("path") is { } path)
            return new CharDevice { SourceType = CharDeviceSourceType.Unix, Path = path, Mode = mode };
        if (v.Take("host") is { } host && v.Take("port") is { } port)
        {
            return new CharDevice
            {
                SourceType = CharDeviceSourceType.Tcp,
                Host = host,
                Service = port,
                Mode = mode,
                Protocol = v.TakeBool("telnet") == true ? "telnet" : "raw",
            };
        }
        return null;
    }

    private void SerialDevice(ArgvOption o, QemuOptionValue v, string driver)
    {
        var id = v.Take("chardev");
        var index = v.TakeInt("index");
        var address = driver == "pci-serial" ? PciAddress(v) : null;
        if (driver == "usb-serial")
            v.Ignore("bus", "port");
        v.Ignore("id");
        if (id is null || !_chardevs.TryGetValue(id, out var backend) || v.Unused.Count > 0 || ReadChardev(backend.Value) is not { } host)
        {
            PassThrough(o);
            return;
        }
        _usedBackends.Add(backend.Option);
        _serials.Add(IsaSerial(host, index ?? NextSerialPort(), driver) with { Address = address });
    }

    private void Vnc(ArgvOption o, string text)
    {
        var v = QemuOptionValue.Parse(o.Name, text, "display");
        var display = v.Take("display") ?? "";
        v.Ignore("audiodev");
        var graphics = VncDisplay(display);
        if (graphics is null || v.Unused.Count > 0)
        {
            PassThrough(o);
            return;
        }
        _graphics.Add(graphics);
    }

    /// <summary>VNC's display syntax: :N, HOST:N, [IPV6]:N or unix:PATH (port 5900 + N).</summary>
    private static GraphicsDevice? VncDisplay(string display)
    {
        if (display.StartsWith("unix:", StringComparison.Ordinal))
        {
            var socket = display[5..];
            return new GraphicsDevice { Socket = socket, AutoPort = null, Listens = [new GraphicsListen("socket", null, socket)] };
        }
        var colon = display.LastIndexOf(':');
        if (colon < 0 || !int.TryParse(display[(colon + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n))
            return null;
        var host = display[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
            host = host[1..^1];
        return new GraphicsDevice
        {
            Port = 5900 + n,
            AutoPort = false,
            Listen = host.Length > 0 ? host : null,
            Listens = host.Length > 0 ? [new GraphicsListen("address", host, null)] : [],
        };
    }

    private void Display(ArgvOption o)
    {
        var v = QemuOptionValue.Parse(o.Name, Value(o), "type");
        // "-display vnc=:1" names its type as a key, so there is no implied first element.
        var type = v.Take("type") ?? (v.Has("vnc") ? "vnc" : null);
        if (type == "none" && v.Unused.Count == 0)
            return;
        if (type == "vnc" && v.Take("vnc") is { } vnc && v.Unused.Count == 0)
        {
            Vnc(o, vnc);
            return;
        }
        PassThrough(o); // gtk, sdl, curses, spice-app: local displays the model does not describe
    }
}
