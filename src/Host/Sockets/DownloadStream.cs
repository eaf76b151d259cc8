using Virt.Protocol.Api;

namespace Virt.Host.Sockets;

/// <summary>
/// A stream that only sends: bytes the daemon already has (a screenshot), in packets of libvirt's stream payload size,
/// then the end. Whatever the client sends on it is refused.
/// </summary>
internal sealed class DownloadStream(byte[] data) : IConsoleStream
{
    /// <summary>libvirt's VIR_NET_MESSAGE_LEGACY_PAYLOAD_MAX: what one STREAM packet carries at most.</summary>
    public const int PacketBytes = 256 * 1024;

    public void Start(IConsoleOutput output)
    {
        for (var offset = 0; offset < data.Length; offset += PacketBytes)
            output.Data(data.AsSpan(offset, Math.Min(PacketBytes, data.Length - offset)));
        output.Ended(null);
    }

    public bool Write(ReadOnlySpan<byte> bytes) => false;

    public void Close()
    {
    }
}
