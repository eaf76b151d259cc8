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

    public bool OpensStream(LibvirtHeader call) =>
        call.Program == LibvirtProgram.Remote && call.Procedure is P.DomainOpenConsole or P.DomainScreenshot;

    public async Task<(byte[] Reply, IConsoleStream? Stream)> OpenStreamAsync(LibvirtPacket call, CancellationToken ct)
    {
        try
        {
            if (call.Header.Procedure == P.DomainScreenshot)
                return await ScreenshotAsync(call, ct).ConfigureAwait(false);
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

    /// <summary>
    /// DOMAIN_SCREENSHOT (virsh screenshot): the reply names the MIME type, and the PNG follows on the stream the call
    /// opened, then its end; virsh writes it to its file and finishes the stream.
    /// </summary>
    private async Task<(byte[] Reply, IConsoleStream? Stream)> ScreenshotAsync(LibvirtPacket call, CancellationToken ct)
    {
        var args = new XdrReader(call.Body);
        var domain = ReadDom(args);
        var screen = args.UInt("screen");
        _ = args.UInt("flags");
        args.End("screenshot");
        var image = await CallAsync<DomainReplies.ScreenshotImage>(new DomainCommands.TakeScreenshot(domain, (int)Math.Min(screen, int.MaxValue)), ct).ConfigureAwait(false);
        var body = new XdrWriter().OptionalString(image.MimeType); // remote_string: may be null in libvirt
        return (LibvirtFraming.Encode(call.Header.Reply(LibvirtStatus.Ok), body.Written), new DownloadStream(image.Data));
    }
}
