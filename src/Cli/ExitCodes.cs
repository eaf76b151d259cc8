using System.Net.Sockets;
using Virt.Protocol.Errors;

namespace Virt.Cli;

/// <summary>
/// The one place where failures become exit codes and error names. Like virsh, every failure exits 1;
/// scripts that need to tell failures apart read the code name from the --json error object.
/// </summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int Failure = 1;

    /// <summary>libvirt's name for usage errors (VIR_ERR_INVALID_ARG).</summary>
    public const string UsageCode = "INVALID_ARG";

    /// <summary>Every failure, whatever its class, is exit 1 (virsh's rule).</summary>
    public static int For(Exception _) => Failure;

    /// <summary>The code name for the JSON error object: the runtime's own code, or libvirt's name for the class of failure.</summary>
    public static string CodeName(Exception error) => error switch
    {
        VirtException virt => virt.Code.WireName(),
        UsageException => UsageCode,
        SocketException => ErrorCode.Rpc.WireName(),
        FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException or IOException => "SYSTEM_ERROR",
        OperationCanceledException => "OPERATION_ABORTED",
        _ => ErrorCode.InternalError.WireName(),
    };
}
