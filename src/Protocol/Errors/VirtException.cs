namespace Virt.Protocol.Errors;

/// <summary>An error a person can act on: a code for scripts and a message for people.</summary>
public class VirtException(ErrorCode code, string message, Exception? inner = null) : Exception(message, inner)
{
    public ErrorCode Code { get; } = code;
}
