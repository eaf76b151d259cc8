using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.Supervisor.Paths;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Actors.Registry;

/// <summary>
/// Host paths a domain may name: absolute ones, as libvirt requires, and none inside the daemon's own tree: a disk
/// that is another domain's config, or a serial file that is a status file, would let a guest read or rewrite them.
/// </summary>
internal static class DevicePathPolicy
{
    public static ErrorReply? Check(DomainDefinition definition, VirtPaths tree)
    {
        foreach (var (what, path) in DomainPaths.Of(definition))
        {
            if (!Path.IsPathRooted(path))
                return new ErrorReply(ErrorCode.ConfigUnsupported, $"{what} path '{path}' is relative; paths in a domain must be absolute");
            if (what == DomainPaths.NvramWhat && IsIn(path, tree.NvramDir))
                continue;
            if (tree.Contains(path))
                return new ErrorReply(ErrorCode.OperationDenied,
                    $"{what} path '{path}' is inside the daemon's own directories (configs, runtime state, logs); refusing it");
        }
        return null;
    }

    private static bool IsIn(string path, string directory) =>
        Path.GetDirectoryName(Path.GetFullPath(path)) == Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
}
