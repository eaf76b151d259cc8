using Virt.Protocol.Errors;
using Virt.Supervisor.Native;
using Virt.Supervisor.Paths;

namespace Virt.Host.Daemon;

/// <summary>How virtd was asked to run: which tree, which config file, how loud, and whether on libvirt's socket paths too.</summary>
public sealed record DaemonOptions(bool System, string? Root, string? ConfigFile, bool Verbose, bool LibvirtSockets = false)
{
    public VirtPaths ResolvePaths()
    {
        if (System)
        {
            if (NativeFiles.GetEuid() != 0)
                throw new VirtException(ErrorCode.OperationDenied, "the system instance (--system) must run as root");
            // With --root the system layout lives under that prefix (a staged install, a container image).
            return VirtPaths.System(Root is null ? "/" : Path.GetFullPath(Root));
        }
        if (Root is not null)
            return VirtPaths.PrivateDaemon(Path.GetFullPath(Root));
        return VirtPaths.Session();
    }
}
