using Virt.Protocol.Errors;
using Virt.Protocol.Libvirt.Xdr;

namespace Virt.Protocol.Libvirt;

/// <summary>
/// remote_error: libvirt's error number, domain and level with the message as libvirt words it ("Requested operation is
/// not valid: ..."), so virsh prints what it prints against libvirtd and python's libvirtError codes compare.
/// </summary>
public sealed record LibvirtError(int Code, int Domain, string Message)
{
    public const int LevelError = 2;
    public const int FromRpc = 7;
    public const int FromQemu = 10;
    public const int FromDomain = 20;

    public const int InternalError = 1;
    public const int NoSupport = 3;
    public const int NoConnect = 5;
    public const int InvalidArg = 8;
    public const int OperationFailed = 9;
    public const int XmlError = 27;
    public const int OperationDenied = 29;
    public const int NoStoragePool = 49;
    public const int NoStorageVolume = 50;
    public const int FromStorage = 18;
    public const int FromNetwork = 19;
    public const int NoNetwork = 43;
    public const int FromNodeDev = 22;
    public const int NoNodeDevice = 53;
    public const int ArgumentUnsupported = 74;
    public const int Rpc = 39;
    public const int NoDomain = 42;
    public const int OperationInvalid = 55;
    public const int ConfigUnsupported = 67;
    public const int OperationTimeout = 68;
    public const int OperationUnsupported = 84;
    public const int NoDomainSnapshot = 72;
    public const int DeviceMissing = 99;
    public const int OperationAborted = 78;
    public const int FromDomainSnapshot = 35;

    /// <summary>
    /// Exactly what libvirt's server answers for a procedure it does not know; the client turns it into NO_SUPPORT,
    /// which is what virsh and the library test for before falling back.
    /// </summary>
    public static LibvirtError UnknownProcedure(int procedure) => new(Rpc, FromRpc, $"unknown procedure: {procedure}");

    /// <summary>
    /// Virt's error as libvirt reports the same failure. A duplicate name or UUID is OPERATION_FAILED in libvirt, not
    /// DOM_EXIST; only protocol faults use RPC, since virsh reconnects after an RPC error.
    /// </summary>
    public static LibvirtError From(VirtException error) => From(error.Code, error.Message);

    public static LibvirtError From(ErrorCode code, string message) => code switch
    {
        ErrorCode.NoDomain => new(NoDomain, FromQemu, Prefixed("Domain not found: ", StripPrefix(message, "Domain not found: "))),
        ErrorCode.DomainExists => new(OperationFailed, FromQemu, Prefixed("operation failed: ", message)),
        ErrorCode.OperationInvalid => new(OperationInvalid, FromQemu, Prefixed("Requested operation is not valid: ", message)),
        ErrorCode.OperationDenied => new(OperationDenied, FromQemu, Prefixed("operation forbidden: ", StripPrefix(message, "operation forbidden: "))),
        ErrorCode.XmlError => new(XmlError, FromDomain, Prefixed("XML error: ", StripPrefix(message, "XML error: "))),
        ErrorCode.ConfigUnsupported => new(ConfigUnsupported, FromQemu, Prefixed("unsupported configuration: ", StripPrefix(message, "unsupported configuration: "))),
        ErrorCode.OperationTimeout => new(OperationTimeout, FromQemu, Prefixed("Timed out during operation: ", message)),
        ErrorCode.OperationFailed => new(OperationFailed, FromQemu, Prefixed("operation failed: ", message)),
        ErrorCode.Rpc => new(Rpc, FromRpc, message),
        ErrorCode.NoStoragePool => new(NoStoragePool, FromStorage, Prefixed("Storage pool not found: ", StripPrefix(message, "Storage pool not found: "))),
        ErrorCode.NoStorageVolume => new(NoStorageVolume, FromStorage, Prefixed("Storage volume not found: ", StripPrefix(message, "Storage volume not found: "))),
        ErrorCode.NoNetwork => new(NoNetwork, FromNetwork, Prefixed("Network not found: ", StripPrefix(message, "Network not found: "))),
        ErrorCode.NoDomainSnapshot => new(NoDomainSnapshot, FromDomainSnapshot, Prefixed("Domain snapshot not found: ", StripPrefix(message, "Domain snapshot not found: "))),
        ErrorCode.DeviceMissing => new(DeviceMissing, FromQemu, Prefixed("device not found: ", StripPrefix(message, "device not found: "))),
        ErrorCode.OperationAborted => new(OperationAborted, FromQemu, Prefixed("operation aborted: ", StripPrefix(message, "operation aborted: "))),
        ErrorCode.InvalidArg => new(InvalidArg, FromQemu, Prefixed("invalid argument: ", StripPrefix(message, "invalid argument: "))),
        ErrorCode.OperationUnsupported => new(OperationUnsupported, FromQemu, Prefixed("Operation not supported: ", StripPrefix(message, "Operation not supported: "))),
        _ => new(InternalError, FromQemu, Prefixed("internal error: ", message)),
    };

    public static LibvirtError InvalidArgument(string message) => new(InvalidArg, FromQemu, "invalid argument: " + message);

    public static LibvirtError Unsupported(string message) => new(NoSupport, FromQemu, "this function is not supported by the connection driver: " + message);

    private static string Prefixed(string prefix, string message) => prefix + message;

    private static string StripPrefix(string message, string prefix) =>
        message.StartsWith(prefix, StringComparison.Ordinal) ? message[prefix.Length..] : message;

    /// <summary>The body of a REPLY with status ERROR.</summary>
    public void Write(XdrWriter w) => w
        .Int(Code).Int(Domain).OptionalString(Message).Int(LevelError)
        .UInt(0) // dom: unused
        .OptionalString(null).OptionalString(null).OptionalString(null)
        .Int(0).Int(0)
        .UInt(0); // net: unused
}
