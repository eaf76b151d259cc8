using System.Globalization;
using System.Text.Json.Nodes;
using Virt.Protocol.Domains;
using Virt.Supervisor.Native;

namespace Virt.Supervisor.CommandLine;

// Inputs, audio, VNC and video.
internal sealed partial class ArgvBuild
{
    private const int VncBasePort = 5900;
    private string? _audiodevId;

    private void WriteInputs()
    {
        var inputs = _def.Devices.Inputs;
        for (var i = 0; i < inputs.Count; i++)
        {
            var input = inputs[i];
            var what = $"<input type='{input.Type}' bus='{input.Bus}'>";
            var bus = input.Bus ?? (input.Type == "tablet" ? "usb" : "ps2");
            if (bus == "ps2")
            {
                if (input.Type is "mouse" or "keyboard")
                    continue; // the i8042 PS/2 mouse and keyboard are built into pc and q35
                throw Unsupported($"{what}: a {input.Type} on bus ps2 is not supported");
            }
            var driver = (bus, input.Type) switch
            {
                ("usb", "tablet") => "usb-tablet",
                ("usb", "mouse") => "usb-mouse",
                ("usb", "keyboard") => "usb-kbd",
                ("virtio", "tablet") => "virtio-tablet-pci",
                ("virtio", "mouse") => "virtio-mouse-pci",
                ("virtio", "keyboard") => "virtio-keyboard-pci",
                _ => throw Unsupported($"{what} is not supported"),
            };
            var device = new JsonObject { ["driver"] = driver, ["id"] = $"input{i}" };
            if (bus == "usb")
                PlaceOnUsb(device, input.Address, what);
            else
                _pci.Place(device, input.Address, what);
            _argv.Json("-device", device);
        }
    }

    private void WriteAudio()
    {
        // libvirt always gives QEMU an explicit audio backend: SPICE's with SPICE graphics, "none" unless told otherwise.
        var spice = _def.Devices.Graphics.Any(g => g.Type == "spice");
        var audios = _def.Devices.Audios.Count > 0 ? _def.Devices.Audios : [new AudioDevice(1, spice ? "spice" : "none")];
        foreach (var audio in audios)
        {
            if (audio.Type is not ("none" or "spice"))
                throw Unsupported($"<audio id='{audio.Id}' type='{audio.Type}'> is not supported; only types 'none' and 'spice'");
            if (audio.Type == "spice" && !spice)
                throw Unsupported($"<audio id='{audio.Id}' type='spice'> needs <graphics type='spice'>");
            var id = $"audio{audio.Id}";
            _argv.Json("-audiodev", new JsonObject { ["id"] = id, ["driver"] = audio.Type });
            _audiodevId ??= id;
        }
    }

    /// <summary>
    /// Sound cards as libvirt writes them: an HDA controller (intel-hda, ich9-intel-hda) with its codecs on its bus,
    /// each codec playing through the card's audio backend; AC97 and ES1370 take the backend themselves.
    /// </summary>
    private void WriteSounds()
    {
        var sounds = _def.Devices.Sounds;
        for (var i = 0; i < sounds.Count; i++)
        {
            var sound = sounds[i];
            var what = $"<sound model='{sound.Model}'>";
            var audiodev = sound.AudioId is { } audioId ? $"audio{audioId}" : _audiodevId ?? "audio1";
            if (sound.AudioId is { } wanted && !_def.Devices.Audios.Any(a => a.Id == wanted) && wanted != 1)
                throw Unsupported($"{what}: there is no <audio id='{wanted}'>");
            var id = $"sound{i}";
            switch (sound.Model)
            {
                case "ich6" or "ich9":
                    var hda = new JsonObject { ["driver"] = sound.Model == "ich9" ? "ich9-intel-hda" : "intel-hda", ["id"] = id };
                    _pci.Place(hda, sound.Address, what);
                    _argv.Json("-device", hda);
                    var codecs = sound.Codecs.Count > 0 ? sound.Codecs : ["duplex"];
                    for (var c = 0; c < codecs.Count; c++)
                    {
                        _argv.Json("-device", new JsonObject
                        {
                            ["driver"] = $"hda-{codecs[c]}",
                            ["id"] = $"{id}-codec{c}",
                            ["bus"] = $"{id}.0",
                            ["cad"] = c,
                            ["audiodev"] = audiodev,
                        });
                    }
                    break;
                case "ac97" or "es1370":
                    var card = new JsonObject { ["driver"] = sound.Model == "ac97" ? "AC97" : "ES1370", ["id"] = id, ["audiodev"] = audiodev };
                    _pci.Place(card, sound.Address, what);
                    _argv.Json("-device", card);
                    break;
                case "sb16":
                    _argv.Json("-device", new JsonObject { ["driver"] = "sb16", ["id"] = id, ["audiodev"] = audiodev });
                    break;
                case "usb":
                    var usb = new JsonObject { ["driver"] = "usb-audio", ["id"] = id, ["audiodev"] = audiodev };
                    PlaceOnUsb(usb, sound.Address, what);
                    _argv.Json("-device", usb);
                    break;
            }
        }
    }

    /// <summary>USB redirection: a spicevmc (SPICE's usbredir channel) or TCP chardev and a usb-redir on its USB port.</summary>
    private void WriteRedirdevs()
    {
        var redirdevs = _def.Devices.Redirdevs;
        for (var i = 0; i < redirdevs.Count; i++)
        {
            var redir = redirdevs[i];
            var what = $"<redirdev type='{redir.SourceType}'> {i}";
            var chardev = $"charredir{i}";
            if (redir.SourceType == "spicevmc")
            {
                if (!_def.Devices.Graphics.Any(g => g.Type == "spice"))
                    throw Unsupported($"{what} needs <graphics type='spice'>");
                _argv.Add("-chardev", new QemuOpts("spicevmc").Add("id", chardev).Add("name", "usbredir").ToString());
            }
            else
            {
                _argv.Add("-chardev", new QemuOpts("socket").Add("id", chardev).Add("host", redir.Host!).Add("port", redir.Service!).ToString());
            }
            var device = new JsonObject { ["driver"] = "usb-redir", ["chardev"] = chardev, ["id"] = $"redir{i}" };
            if (_boot.IndexOf(redir) is { } boot)
                device["bootindex"] = boot;
            PlaceOnUsb(device, redir.Address, what);
            _argv.Json("-device", device);
        }
    }

    private void WriteGraphics()
    {
        var graphics = _def.Devices.Graphics;
        if (graphics.Count(g => g.Type == "vnc") > 1 || graphics.Count(g => g.Type == "spice") > 1)
            throw Unsupported("only one <graphics> device of each type (vnc, spice) is supported");
        foreach (var g in graphics)
        {
            if (g.Type == "spice")
                WriteSpice(g);
            else
                WriteVnc(g);
        }
    }

    /// <summary>
    /// SPICE as libvirt starts it: a TCP port (with autoport a free one from 5900, which the live XML then shows),
    /// or a UNIX socket; the listen address (127.0.0.1 by default); its stream options; no ticket without a password.
    /// </summary>
    private void WriteSpice(GraphicsDevice spice)
    {
        var listen = spice.Listens.FirstOrDefault();
        var opts = new QemuOpts();
        if (listen?.Type == "socket")
        {
            opts.Add("unix", true).Add("addr", listen.Socket ?? Path.Combine(_ctx.RuntimeDirectory, "spice.sock"));
        }
        else if (listen?.Type != "none")
        {
            var address = listen?.Address ?? spice.Listen ?? "127.0.0.1";
            int port;
            if (spice.AutoPort ?? spice.Port is null or -1)
                port = FreeTcpPorts.First(address, VncBasePort) ?? throw Unsupported($"<graphics type='spice'>: no free TCP port from {VncBasePort} on {address}");
            else if (spice.Port is { } written and >= 1 and <= 65535)
                port = written;
            else
                throw Unsupported($"<graphics type='spice' port='{spice.Port}'>: the port must be between 1 and 65535");
            opts.Add("port", port).Add("addr", address);
        }
        if (spice.TlsPort is { } tls and > 0)
            throw Unsupported($"<graphics type='spice' tlsPort='{tls}'>: SPICE over TLS is not supported");
        // A password is set over QMP before the guest runs; without one SPICE must be told it needs none.
        if (spice.Password is null)
            opts.Add("disable-ticketing", true);
        if (spice.Spice is { } s)
        {
            if (s.MouseMode is { } mouse)
                opts.Add("agent-mouse", mouse == "client");
            if (s.ImageCompression is { } image)
                opts.Add("image-compression", image);
            if (s.JpegCompression is { } jpeg)
                opts.Add("jpeg-wan-compression", jpeg);
            if (s.ZlibCompression is { } zlib)
                opts.Add("zlib-glz-wan-compression", zlib);
            if (s.PlaybackCompression is { } playback)
                opts.Add("playback-compression", playback);
            if (s.StreamingMode is { } streaming)
                opts.Add("streaming-video", streaming);
            if (s.CopyPaste == false)
                opts.Add("disable-copy-paste", true);
            if (s.FileTransfer == false)
                opts.Add("disable-agent-file-xfer", true);
        }
        opts.Add("seamless-migration", true);
        _argv.Add("-spice", opts);
    }

    private void WriteVnc(GraphicsDevice vnc)
    {
        var listen = vnc.Listens.FirstOrDefault();
        var socket = vnc.Socket ?? (listen?.Type == "socket" ? listen.Socket ?? Path.Combine(_ctx.RuntimeDirectory, "vnc.sock") : null);
        QemuOpts opts;
        if (listen?.Type == "none")
        {
            opts = new QemuOpts("none");
        }
        else if (socket is not null)
        {
            // The path goes in as a keyed value: as the implied first value a '=' in it would turn it into a key.
            opts = new QemuOpts().Add("vnc", "unix:" + socket);
        }
        else
        {
            var address = listen?.Address ?? vnc.Listen ?? "127.0.0.1";
            var host = address.Contains(':') ? $"[{address}]" : address;
            if (vnc.AutoPort ?? vnc.Port is null or -1)
            {
                // QEMU takes the first free display from 0 up to 'to' itself: no race with another process for the port.
                opts = new QemuOpts().Add("vnc", $"{host}:0").Add("to", 99);
            }
            else
            {
                var port = vnc.Port!.Value;
                if (port is < VncBasePort or > 65535)
                    throw Unsupported($"<graphics type='vnc' port='{port}'>: the port must be between 5900 and 65535");
                opts = new QemuOpts().Add("vnc", $"{host}:{(port - VncBasePort).ToString(CultureInfo.InvariantCulture)}");
            }
        }
        if (vnc.Password is not null && listen?.Type != "none")
            opts.Add("password", true); // the password itself comes over QMP, never on the command line
        if (_audiodevId is not null && listen?.Type != "none")
            opts.Add("audiodev", _audiodevId);
        _argv.Add("-vnc", opts);
    }

    private void WriteVideos()
    {
        // Graphics without a video card would show nothing; libvirt adds its default then.
        var videos = DefaultVideo.Of(_def);
        for (var i = 0; i < videos.Count; i++)
        {
            var video = videos[i];
            var what = $"<video> {i} (model {video.ModelType})";
            var primary = i == 0;
            if (video.ModelType == "none")
            {
                if (videos.Count > 1)
                    throw Unsupported($"{what}: model 'none' cannot be combined with other video devices");
                continue;
            }
            var driver = (video.ModelType, primary) switch
            {
                ("vga", true) => "VGA",
                ("cirrus", true) => "cirrus-vga",
                ("virtio", true) => "virtio-vga",
                ("virtio", false) => "virtio-gpu-pci",
                ("qxl", true) => "qxl-vga",
                ("qxl", false) => "qxl",
                ("bochs", _) => "bochs-display",
                _ => throw Unsupported(primary
                    ? $"{what}: this video model is not supported"
                    : $"{what}: only virtio, qxl and bochs can be secondary video devices"),
            };
            var device = new JsonObject { ["driver"] = driver, ["id"] = DefaultVideo.Id(i) };
            // libvirt's properties per model: heads for virtio and qxl, qxl's bars in bytes, VGA memory in MiB.
            if (video.Heads is { } heads && heads != 1 && driver is not ("virtio-vga" or "virtio-gpu-pci" or "qxl-vga" or "qxl"))
                throw Unsupported($"{what}: more than one head needs model virtio or qxl");
            switch (driver)
            {
                case "qxl-vga" or "qxl":
                    device["max_outputs"] = video.Heads ?? 1;
                    device["ram_size"] = (long)(video.Ram ?? 65536) * 1024;
                    device["vram_size"] = (long)(video.Vram ?? 65536) * 1024;
                    device["vram64_size_mb"] = (video.Vram64 ?? 0) / 1024;
                    device["vgamem_mb"] = (video.VgaMem ?? 16384) / 1024;
                    break;
                case "virtio-vga" or "virtio-gpu-pci":
                    device["max_outputs"] = video.Heads ?? 1;
                    break;
                case "VGA" when video.Vram is { } vram:
                    device["vgamem_mb"] = Math.Max(1, vram / 1024);
                    break;
            }
            _pci.Place(device, video.Address, what);
            _argv.Json("-device", device);
        }
    }
}
