using Virt.Protocol.Domains;
using Virt.Supervisor.Capabilities;

namespace Virt.Supervisor.CommandLine;

/// <summary>Turns a domain definition into the QEMU command line that runs it, or refuses it with a <see cref="Virt.Protocol.Errors.VirtException"/>.</summary>
public static class QemuArgvBuilder
{
    /// <summary>
    /// Builds the argv for <paramref name="def"/> on the emulator described by <paramref name="caps"/>.
    /// Throws VirtException (ConfigUnsupported, XmlError) for anything it cannot apply faithfully.
    /// </summary>
    public static QemuCommandLine Build(DomainDefinition def, QemuCapabilities caps, QemuArgvContext ctx)
    {
        ArgumentNullException.ThrowIfNull(def);
        ArgumentNullException.ThrowIfNull(caps);
        ArgumentNullException.ThrowIfNull(ctx);
        var build = new ArgvBuild(def, caps, ctx);
        return new QemuCommandLine(caps.EmulatorPath, build.Run()) { Definition = build.Definition };
    }
}
