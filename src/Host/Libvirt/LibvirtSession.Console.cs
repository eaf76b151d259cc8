using Virt.Host.Sockets;
using Virt.Protocol.Api;
using Virt.Protocol.Errors;
using Virt.Protocol.Libvirt;
using Virt.Protocol.Libvirt.Xdr;
using P = Virt.Protocol.Libvirt.RemoteProcedures;

namespace Virt.Host.Libvirt;

// DOMAIN_OPEN_CONSOLE (virsh console, virt-manager's serial console): the session opens; the connection carries its bytes.
internal sealed partial class LibvirtSession : ILibvirtStreamSession
{
    private const uint ConsoleForce = 1;
    private const uint ConsoleSafe = 2;

    public bool OpensStream(LibvirtHeader call) => call.Program == LibvirtProgram.Remote && call.Procedure == P.DomainOpenConsole;

    public async Task<(byte[] Reply, IConsoleStream? Stream)> OpenStreamAsync(LibvirtPacket call, CancellationToken ct)
    {
        try
        {
            var args = new XdrReader(call.Body);
            var domain = ReadDom(args);
            var device = args.OptionalString(P.StringMax, "dev_name");
            var flags = args.UInt("flags");
            args.End("open console");
            if ((flags & ~(ConsoleForce | ConsoleSafe)) != 0)
                throw new LibvirtFault(LibvirtError.InvalidArgument($"unsupported flags (0x{flags & ~(ConsoleForce | ConsoleSafe):x}) in function qemuDomainOpenConsole"));
            var opened = await CallAsync<ConsoleReplies.ConsoleOpened>(new ConsoleCommands.OpenConsole(domain, device,
                Force: (flags & ConsoleForce) != 0, Safe: (flags & ConsoleSafe) != 0), ct).ConfigureAwait(false);
            return (LibvirtFraming.Encode(call.Header.Reply(LibvirtStatus.Ok), []),
                opened.Stream ?? throw new VirtException(ErrorCode.InternalError, "the console was opened without a stream"));
        }
        catch (LibvirtFault fault)
        {
            return (LibvirtConnection.ErrorReply(call.Header, fault.Error), null);
        }
        catch (VirtException e)
        {
            return (LibvirtConnection.ErrorReply(call.Header, LibvirtError.From(e)), null);
        }
    }
}
