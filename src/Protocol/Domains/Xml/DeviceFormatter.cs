using System.Globalization;
namespace Virt.Protocol.Domains.Xml;

/// <summary>Writes &lt;devices&gt; in libvirt's order: disks, controllers, interfaces, serials, consoles, inputs, graphics, audio, video, watchdog, memballoon, rng, panic.</summary>
internal static class DeviceFormatter
{
    public static void Format(XmlBuilder x, DeviceSet d)
    {
        x.Open("devices");
        x.Text("emulator", d.Emulator);
        foreach (var disk in d.Disks)
            FormatDisk(x, disk);
        foreach (var c in d.Controllers)
        {
            x.Open("controller").Attr("type", c.Type).Attr("index", c.Index).Attr("model", c.Model).Attr("ports", c.Ports);
            if (c.MasterStartPort is { } startPort)
                x.Leaf("master", ("startport", startPort.ToString(CultureInfo.InvariantCulture)));
            if (c.Pci is { } pci)
            {
                if (pci.ModelName is not null)
                    x.Leaf("model", ("name", pci.ModelName));
                if (pci.Chassis is not null || pci.Port is not null || pci.ChassisNr is not null || pci.BusNr is not null || pci.Hotplug is not null)
                {
                    x.Leaf("target", ("chassisNr", pci.ChassisNr?.ToString(CultureInfo.InvariantCulture)), ("chassis", pci.Chassis?.ToString(CultureInfo.InvariantCulture)),
                        ("port", pci.Port is { } port ? string.Create(CultureInfo.InvariantCulture, $"0x{port:x}") : null),
                        ("busNr", pci.BusNr?.ToString(CultureInfo.InvariantCulture)), ("hotplug", OnOff(pci.Hotplug)));
                }
            }
            FormatAddress(x, c.Address);
            x.End("controller");
        }
        foreach (var fs in d.Filesystems)
        {
            x.Open("filesystem").Attr("type", "mount").Attr("accessmode", fs.AccessMode).Attr("fmode", fs.FileMode).Attr("dmode", fs.DirectoryMode)
                .Attr("multidevs", fs.Multidevs);
            if (fs.DriverType is not null)
                x.Leaf("driver", ("type", fs.DriverType));
            x.Leaf("source", ("dir", fs.SourceDir));
            x.Leaf("target", ("dir", fs.TargetDir));
            if (fs.ReadOnly)
                x.Leaf("readonly");
            FormatAddress(x, fs.Address);
            x.End("filesystem");
        }
        foreach (var nic in d.Interfaces)
            FormatInterface(x, nic);
        foreach (var serial in d.Serials)
            FormatChar(x, "serial", serial);
        foreach (var console in d.Consoles)
            FormatChar(x, "console", console);
        foreach (var channel in d.Channels)
            FormatChar(x, "channel", channel);
        foreach (var input in d.Inputs)
        {
            x.Open("input").Attr("type", input.Type).Attr("bus", input.Bus);
            FormatAddress(x, input.Address);
            x.End("input");
        }
        foreach (var tpm in d.Tpms)
        {
            x.Open("tpm").Attr("model", tpm.Model);
            x.Open("backend").Attr("type", tpm.BackendType).Attr("version", tpm.Version)
                .Attr("persistent_state", tpm.PersistentState is { } keep ? (keep ? "yes" : "no") : null).End("backend");
            x.End("tpm");
        }
        foreach (var g in d.Graphics)
            FormatGraphics(x, g);
        foreach (var sound in d.Sounds)
        {
            x.Open("sound").Attr("model", sound.Model);
            foreach (var codec in sound.Codecs)
                x.Leaf("codec", ("type", codec));
            if (sound.AudioId is { } audioId)
                x.Leaf("audio", ("id", audioId.ToString(CultureInfo.InvariantCulture)));
            FormatAddress(x, sound.Address);
            x.End("sound");
        }
        foreach (var audio in d.Audios)
            x.Open("audio").Attr("id", audio.Id).Attr("type", audio.Type).End("audio");
        foreach (var video in d.Videos)
        {
            x.Open("video");
            x.Open("model").Attr("type", video.ModelType).Attr("ram", video.Ram).Attr("vram", video.Vram).Attr("vram64", video.Vram64)
                .Attr("vgamem", video.VgaMem).Attr("heads", video.Heads).Attr("primary", video.Primary).End("model");
            FormatAddress(x, video.Address);
            x.End("video");
        }
        foreach (var redir in d.Redirdevs)
        {
            x.Open("redirdev").Attr("bus", "usb").Attr("type", redir.SourceType);
            if (redir.Host is not null)
                x.Leaf("source", ("mode", "connect"), ("host", redir.Host), ("service", redir.Service));
            FormatBoot(x, redir.BootOrder);
            FormatAddress(x, redir.Address);
            x.End("redirdev");
        }
        foreach (var hub in d.Hubs)
        {
            x.Open("hub").Attr("type", "usb");
            FormatAddress(x, hub.Address);
            x.End("hub");
        }
        if (d.Watchdog is { } w)
        {
            x.Open("watchdog").Attr("model", w.Model).Attr("action", w.Action);
            FormatAddress(x, w.Address);
            x.End("watchdog");
        }
        if (d.Memballoon is { } m)
        {
            x.Open("memballoon").Attr("model", m.Model).Attr("autodeflate", OnOff(m.AutoDeflate)).Attr("freePageReporting", OnOff(m.FreePageReporting));
            if (m.StatsPeriod is { } period)
                x.Open("stats").Attr("period", period).End("stats");
            FormatAddress(x, m.Address);
            x.End("memballoon");
        }
        foreach (var rng in d.Rngs)
        {
            x.Open("rng").Attr("model", rng.Model);
            if (rng.BackendPath is null)
                x.Leaf("backend", ("model", rng.BackendModel));
            else
                x.Text("backend", rng.BackendPath, ("model", rng.BackendModel));
            if (rng.RateBytes is { } bytes)
                x.Open("rate").Attr("bytes", bytes).Attr("period", rng.RatePeriod).End("rate");
            FormatAddress(x, rng.Address);
            x.End("rng");
        }
        foreach (var panic in d.Panics)
        {
            x.Open("panic").Attr("model", panic.Model);
            FormatAddress(x, panic.Address);
            x.End("panic");
        }
        x.End("devices");
    }

    private static void FormatDisk(XmlBuilder x, DiskDevice disk)
    {
        x.Open("disk").Attr("type", XmlNames.DiskSource.Name(disk.SourceType)).Attr("device", XmlNames.DiskDevice.Name(disk.Device));
        if (disk.DriverName is not null || disk.DriverType is not null || disk.DriverCache is not null || disk.Discard is not null
            || disk.DetectZeroes is not null || disk.Io is not null)
        {
            x.Leaf("driver", ("name", disk.DriverName), ("type", disk.DriverType), ("cache", disk.DriverCache), ("io", disk.Io),
                ("discard", disk.Discard), ("detect_zeroes", disk.DetectZeroes));
        }
        if (disk.NetworkSource is { } net)
        {
            x.Open("source").Attr("protocol", net.Protocol).Attr("name", net.Name);
            foreach (var host in net.Hosts)
                x.Leaf("host", ("name", host.Name), ("port", host.Port));
            x.End("source");
        }
        else if (disk.SourcePath is not null)
        {
            x.Leaf("source", (disk.SourceType == DiskSourceType.Block ? "dev" : "file", disk.SourcePath));
        }
        FormatBackingStore(x, disk.BackingStore);
        x.Leaf("target", ("dev", disk.TargetDev), ("bus", XmlNames.DiskBus.Name(disk.TargetBus)));
        if (disk.ReadOnly)
            x.Leaf("readonly");
        FormatBoot(x, disk.BootOrder);
        FormatAddress(x, disk.Address);
        x.End("disk");
    }

    private static void FormatBackingStore(XmlBuilder x, DiskBackingStore? store)
    {
        if (store is null)
            return;
        if (store.Path is null)
        {
            x.Leaf("backingStore");
            return;
        }
        x.Open("backingStore").Attr("type", XmlNames.DiskSource.Name(store.SourceType));
        if (store.Format is not null)
            x.Leaf("format", ("type", store.Format));
        x.Leaf("source", (store.SourceType == DiskSourceType.Block ? "dev" : "file", store.Path));
        FormatBackingStore(x, store.Next);
        x.End("backingStore");
    }

    internal static void FormatInterface(XmlBuilder x, InterfaceDevice nic)
    {
        x.Open("interface").Attr("type", XmlNames.Interface.Name(nic.Type));
        if (nic.Mac is not null)
            x.Leaf("mac", ("address", nic.Mac));
        if (nic.SourceName is not null)
            x.Leaf("source", (nic.Type == InterfaceType.Network ? "network" : "bridge", nic.SourceName));
        foreach (var ip in nic.Ips)
            x.Open("ip").Attr("address", ip.Address).Attr("family", ip.Family).Attr("prefix", ip.Prefix).End("ip");
        if (nic.TargetDev is not null)
            x.Leaf("target", ("dev", nic.TargetDev));
        if (nic.Model is not null)
            x.Leaf("model", ("type", nic.Model));
        FormatBoot(x, nic.BootOrder);
        if (nic.Alias is not null)
            x.Leaf("alias", ("name", nic.Alias));
        FormatAddress(x, nic.Address);
        x.End("interface");
    }

    private static void FormatChar(XmlBuilder x, string name, CharDevice c)
    {
        x.Open(name).Attr("type", XmlNames.CharSource.Name(c.SourceType));
        // As libvirt: the first console of a running domain names its pty in the legacy tty attribute too.
        if (name == "console" && c.SourceType == CharDeviceSourceType.Pty && c.TargetPort is null or 0 && c.Path is not null)
            x.Attr("tty", c.Path);
        if (c.Path is not null || c.Mode is not null || c.Host is not null || c.Service is not null || c.Append is not null)
        {
            x.Open("source").Attr("mode", c.Mode).Attr("host", c.Host).Attr("service", c.Service).Attr("path", c.Path)
                .Attr("append", c.Append, "on", "off").End("source");
        }
        if (c.Protocol is not null)
            x.Leaf("protocol", ("type", c.Protocol));
        if (c.LogFile is not null)
            x.Open("log").Attr("file", c.LogFile).Attr("append", c.LogAppend, "on", "off").End("log");
        if (c.TargetType is not null || c.TargetPort is not null || c.TargetModel is not null)
        {
            x.Open("target").Attr("type", c.TargetType).Attr("name", c.TargetName).Attr("port", c.TargetPort);
            if (c.TargetModel is not null)
                x.Leaf("model", ("name", c.TargetModel));
            x.End("target");
        }
        if (c.Alias is not null)
            x.Leaf("alias", ("name", c.Alias));
        FormatAddress(x, c.Address);
        x.End(name);
    }

    /// <summary>libvirt writes port='-1' for a TCP VNC display whose port is still to be chosen; clients (cockpit) test for it.</summary>
    private static int? UnallocatedVncPort(GraphicsDevice g) =>
        g is { Type: "vnc", Socket: null, AutoPort: true } && g.Listens.FirstOrDefault()?.Type is not ("none" or "socket") ? -1 : null;

    private static void FormatGraphics(XmlBuilder x, GraphicsDevice g)
    {
        x.Open("graphics").Attr("type", g.Type).Attr("socket", g.Socket).Attr("port", g.Port ?? UnallocatedVncPort(g)).Attr("tlsPort", g.TlsPort).Attr("autoport", g.AutoPort).Attr("listen", g.Listen)
            .Attr("passwd", g.Password).Attr("passwdValidTo", g.PasswordValidTo);
        foreach (var l in g.Listens)
            x.Leaf("listen", ("type", l.Type), ("address", l.Address), ("socket", l.Socket));
        if (g.Spice is { } s)
        {
            if (s.ImageCompression is not null)
                x.Leaf("image", ("compression", s.ImageCompression));
            if (s.JpegCompression is not null)
                x.Leaf("jpeg", ("compression", s.JpegCompression));
            if (s.ZlibCompression is not null)
                x.Leaf("zlib", ("compression", s.ZlibCompression));
            if (s.PlaybackCompression is { } playback)
                x.Leaf("playback", ("compression", playback ? "on" : "off"));
            if (s.StreamingMode is not null)
                x.Leaf("streaming", ("mode", s.StreamingMode));
            if (s.CopyPaste is { } copy)
                x.Leaf("clipboard", ("copypaste", copy ? "yes" : "no"));
            if (s.MouseMode is not null)
                x.Leaf("mouse", ("mode", s.MouseMode));
            if (s.FileTransfer is { } ft)
                x.Leaf("filetransfer", ("enable", ft ? "yes" : "no"));
        }
        x.End("graphics");
    }

    private static void FormatBoot(XmlBuilder x, int? order)
    {
        if (order is { } o)
            x.Open("boot").Attr("order", o).End("boot");
    }

    private static void FormatAddress(XmlBuilder x, DeviceAddress? address)
    {
        if (address is null)
            return;
        x.Open("address").Attr("type", address.Type);
        foreach (var (name, value) in address.Attributes)
            x.Attr(name, value);
        x.End("address");
    }

    private static string? OnOff(bool? value) => value is { } on ? (on ? "on" : "off") : null;
}
