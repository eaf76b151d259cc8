using Virt.Protocol.Errors;

namespace Virt.Supervisor.Qmp;

/// <summary>QEMU answered a command with an "error" reply.</summary>
public sealed class QmpCommandException(string command, string errorClass, string description)
    : VirtException(ErrorCode.OperationFailed, $"QMP command '{command}' failed: {description} ({errorClass})")
{
    public string Command { get; } = command;
    /// <summary>QEMU's error class, e.g. "GenericError" or "CommandNotFound".</summary>
    public string Class { get; } = errorClass;
    public string Description { get; } = description;
}

/// <summary>A QMP command or the connection handshake took longer than allowed.</summary>
public sealed class QmpTimeoutException(string message) : VirtException(ErrorCode.OperationTimeout, message);

/// <summary>The QMP connection failed or ended: EOF, malformed data, or a command after close.</summary>
public sealed class QmpConnectionException(string message, Exception? inner = null)
    : VirtException(ErrorCode.OperationFailed, message, inner);
