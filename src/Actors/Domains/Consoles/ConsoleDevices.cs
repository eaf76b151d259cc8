using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Actors.Domains.Consoles;

/// <summary>
/// Which character device a console open means, by libvirt's rules (qemuDomainOpenConsole): a DEVNAME is an alias,
/// looked for among the consoles, then the serials; none means the first console, else the first serial. Only a pty
/// can be a console; the errors are libvirt's own words.
/// </summary>
internal static class ConsoleDevices
{
    /// <summary>The device's alias and pty path in the live definition, or why there is none.</summary>
    public static (string Alias, string Pty)? Find(DomainDefinition live, string? name, out ErrorReply? error)
    {
        var devices = live.Devices;
        var device = name is null
            ? devices.Consoles.FirstOrDefault() ?? devices.Serials.FirstOrDefault()
            : devices.Consoles.FirstOrDefault(c => c.Alias == name) ?? devices.Serials.FirstOrDefault(s => s.Alias == name);
        error = null;
        if (device is null)
            error = new ErrorReply(ErrorCode.InternalError, $"cannot find character device {name ?? "<null>"}");
        else if (device.SourceType != CharDeviceSourceType.Pty)
            error = new ErrorReply(ErrorCode.InternalError, $"character device {name ?? device.Alias ?? "<null>"} is not using a PTY");
        else if (device.Alias is null || device.Path is null)
            error = new ErrorReply(ErrorCode.OperationFailed, $"the pty of character device {name ?? device.Alias ?? "<null>"} is not known yet");
        return error is null ? (device!.Alias!, device.Path!) : null;
    }
}
