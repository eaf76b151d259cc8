using Virt.Protocol.Errors;

namespace Virt.Protocol.Libvirt.Xdr;

/// <summary>A message body that does not decode as the struct its procedure names.</summary>
public sealed class XdrException(string message) : VirtException(ErrorCode.Rpc, message);
