namespace Virt.Protocol.Errors;

/// <summary>Error classes, named after libvirt's where they fit, so scripts can branch on them.</summary>
public enum ErrorCode
{
    InternalError,
    NoDomain,
    DomainExists,
    OperationInvalid,
    OperationDenied,
    XmlError,
    ConfigUnsupported,
    OperationTimeout,
    OperationFailed,
    Rpc,
    NoStoragePool,
    NoStorageVolume,
    NoNetwork,
    /// <summary>An argument names nothing the domain has (a disk, an interface) or is out of range.</summary>
    InvalidArg,
    /// <summary>The operation exists but this domain or machine cannot do it.</summary>
    OperationUnsupported,
    /// <summary>No snapshot of the domain has the name asked (or it has no current one).</summary>
    NoDomainSnapshot,
    /// <summary>A device the request names is not in the domain.</summary>
    DeviceMissing,
    /// <summary>A job ended because a client asked it to (domjobabort).</summary>
    OperationAborted,
}

public static class ErrorCodeNames
{
    /// <summary>The libvirt-style wire name, e.g. NO_DOMAIN.</summary>
    public static string WireName(this ErrorCode code) => code switch
    {
        ErrorCode.InternalError => "INTERNAL_ERROR",
        ErrorCode.NoDomain => "NO_DOMAIN",
        ErrorCode.DomainExists => "DOM_EXIST",
        ErrorCode.OperationInvalid => "OPERATION_INVALID",
        ErrorCode.OperationDenied => "OPERATION_DENIED",
        ErrorCode.XmlError => "XML_ERROR",
        ErrorCode.ConfigUnsupported => "CONFIG_UNSUPPORTED",
        ErrorCode.OperationTimeout => "OPERATION_TIMEOUT",
        ErrorCode.OperationFailed => "OPERATION_FAILED",
        ErrorCode.Rpc => "RPC",
        ErrorCode.NoStoragePool => "NO_STORAGE_POOL",
        ErrorCode.NoStorageVolume => "NO_STORAGE_VOL",
        ErrorCode.NoNetwork => "NO_NETWORK",
        ErrorCode.InvalidArg => "INVALID_ARG",
        ErrorCode.OperationUnsupported => "OPERATION_UNSUPPORTED",
        ErrorCode.NoDomainSnapshot => "NO_DOMAIN_SNAPSHOT",
        ErrorCode.DeviceMissing => "DEVICE_MISSING",
        ErrorCode.OperationAborted => "OPERATION_ABORTED",
        _ => throw new ArgumentOutOfRangeException(nameof(code), code, null),
    };

    public static ErrorCode? FromWireName(string name) =>
        Enum.GetValues<ErrorCode>().Cast<ErrorCode?>().FirstOrDefault(c => c!.Value.WireName() == name);
}
