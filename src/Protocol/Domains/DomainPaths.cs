namespace Virt.Protocol.Domains;

/// <summary>Every host path a definition names (kernel, disks, character devices, sockets), with what names it.</summary>
public static class DomainPaths
{
    /// <summary>What names a UEFI guest's variable store, the one path the daemon's tree may hold (its nvram directory).</summary>
    public const string NvramWhat = "<nvram>";

    public static IEnumerable<(string What, string Path)> Of(DomainDefinition definition)
    {
        if (definition.Os.Kernel is { } kernel)
            yield return ("<kernel>", kernel);
        if (definition.Os.Initrd is { } initrd)
            yield return ("<initrd>", initrd);
        if (definition.Os.Loader?.Path is { } loader)
            yield return ("<loader>", loader);
        if (definition.Os.Nvram?.Template is { } template)
            yield return ("<nvram> template", template);
        if (definition.Os.Nvram?.Path is { } nvram)
            yield return (NvramWhat, nvram);
        var devices = definition.Devices;
        foreach (var disk in devices.Disks)
        {
            if (disk.SourceType != DiskSourceType.Network && disk.SourcePath is { } source)
                yield return ($"<disk> {disk.TargetDev} source", source);
        }
        foreach (var (kind, chars) in new[] { ("<serial>", devices.Serials), ("<console>", devices.Consoles), ("<channel>", devices.Channels) })
        {
            foreach (var device in chars)
            {
                if (device.SourceType is CharDeviceSourceType.File or CharDeviceSourceType.Unix && device.Path is { } path)
                    yield return ($"{kind} source", path);
                if (device.LogFile is { } log)
                    yield return ($"{kind} log", log);
            }
        }
        foreach (var graphics in devices.Graphics)
        {
            if (graphics.Socket is { } socket)
                yield return ("<graphics> socket", socket);
            foreach (var listen in graphics.Listens)
            {
                if (listen.Socket is { } listenSocket)
                    yield return ("<graphics> listen socket", listenSocket);
            }
        }
        foreach (var fs in devices.Filesystems)
            yield return ($"<filesystem> {fs.TargetDir} source", fs.SourceDir);
        foreach (var rng in devices.Rngs)
        {
            if (rng.BackendPath is { } backend)
                yield return ("<rng> backend", backend);
        }
    }
}
