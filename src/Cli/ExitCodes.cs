using Virt.Protocol.Errors;

namespace Virt.Cli;

/// <summary>The one place where failures become exit codes, so scripts can tell them apart.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>The input is wrong: unreadable file, malformed XML, a configuration Virt cannot run.</summary>
    public const int BadInput = 1;
    /// <summary>The named domain or object does not exist.</summary>
    public const int NotFound = 2;
    /// <summary>The request was understood but failed or timed out (QEMU, the daemon).</summary>
    public const int OperationFailed = 3;
    /// <summary>Not allowed: read-only connection, permissions.</summary>
    public const int Denied = 4;
    /// <summary>The daemon could not be reached or the connection broke.</summary>
    public const int Connection = 5;
    /// <summary>A bug in Virt.</summary>
    public const int Internal = 70;

    public static int For(Exception error) => error switch
    {
        VirtException { Code: ErrorCode.XmlError or ErrorCode.ConfigUnsupported or ErrorCode.OperationInvalid } => BadInput,
        VirtException { Code: ErrorCode.NoDomain } => NotFound,
        VirtException { Code: ErrorCode.DomainExists } => BadInput,
        VirtException { Code: ErrorCode.OperationFailed or ErrorCode.OperationTimeout } => OperationFailed,
        VirtException { Code: ErrorCode.OperationDenied } => Denied,
        VirtException { Code: ErrorCode.Rpc } => Connection,
        VirtException => Internal,
        FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException => BadInput,
        IOException => BadInput,
        _ => Internal,
    };
}
