using System.Runtime.InteropServices;
using Virt.Host.Sockets;
using Virt.Protocol.Errors;
using Virt.Protocol.Libvirt;
using Virt.Protocol.Libvirt.Xdr;
using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainReplies;
using P = Virt.Protocol.Libvirt.RemoteProcedures;

namespace Virt.Host.Libvirt;

// DOMAIN_OPEN_GRAPHICS_FD (virt-manager's console of a local guest): the reply passes one end of a socket QEMU serves.
internal sealed partial class LibvirtSession : ILibvirtFdSession
{
    /// <summary>VIR_DOMAIN_OPEN_GRAPHICS_SKIPAUTH.</summary>
    private const uint GraphicsSkipAuth = 1;

    public bool PassesFds(LibvirtHeader call) => call.Program == LibvirtProgram.Remote && call.Procedure == P.DomainOpenGraphicsFd;

    public async Task<(byte[] Reply, IReadOnlyList<SafeHandle> Fds)> CallWithFdsAsync(LibvirtPacket call, CancellationToken ct)
    {
        try
        {
            var args = new XdrReader(call.Body);
            var domain = ReadDom(args);
            var index = args.UInt("idx");
            var flags = args.UInt("flags");
            args.End("open graphics fd");
            if ((flags & ~GraphicsSkipAuth) != 0)
                throw new LibvirtFault(LibvirtError.InvalidArgument($"unsupported flags (0x{flags & ~GraphicsSkipAuth:x}) in function qemuDomainOpenGraphicsFD"));
            var opened = await CallAsync<GraphicsOpened>(new OpenGraphics(domain, index, SkipAuth: (flags & GraphicsSkipAuth) != 0), ct).ConfigureAwait(false);
            var socket = opened.Socket ?? throw new VirtException(ErrorCode.InternalError, "the display client was opened without a socket");
            return (LibvirtFraming.EncodeReplyWithFds(call.Header, 1, []), [socket]);
        }
        catch (LibvirtFault fault)
        {
            return (LibvirtConnection.ErrorReply(call.Header, fault.Error), []);
        }
        catch (VirtException e)
        {
            return (LibvirtConnection.ErrorReply(call.Header, LibvirtError.From(e)), []);
        }
    }
}
