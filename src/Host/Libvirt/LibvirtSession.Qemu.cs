using System.Text.Json;
using Virt.Protocol.Errors;
using Virt.Protocol.Libvirt.Xdr;
using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainReplies;
using P = Virt.Protocol.Libvirt.RemoteProcedures;

namespace Virt.Host.Libvirt;

// QEMU_PROGRAM: virsh qemu-monitor-command, in QMP or (with the HMP flag) in QEMU's human monitor language.
internal sealed partial class LibvirtSession
{
    private const uint MonitorHmp = 1;

    private async Task<XdrWriter?> MonitorCommandAsync(XdrReader args, CancellationToken ct)
    {
        var dom = ReadDom(args);
        var command = args.String(P.StringMax, "cmd");
        var flags = args.UInt("flags");
        args.End("monitor command");
        if ((flags & MonitorHmp) == 0)
        {
            var reply = await CallAsync<QemuMonitorReply>(new QemuMonitorCommand(dom, command), ct).ConfigureAwait(false);
            return new XdrWriter().String(reply.Json);
        }
        // HMP goes through QMP's human-monitor-command, as libvirt sends it; the answer is the text it returned.
        var wrapped = JsonSerializer.Serialize(new HmpCommand(new HmpArguments(command)), LibvirtJsonContext.Default.HmpCommand);
        var hmp = await CallAsync<QemuMonitorReply>(new QemuMonitorCommand(dom, wrapped), ct).ConfigureAwait(false);
        using var document = JsonDocument.Parse(hmp.Json);
        return new XdrWriter().String(document.RootElement.TryGetProperty("return", out var text) && text.ValueKind == JsonValueKind.String
            ? text.GetString()!
            : throw new VirtException(ErrorCode.OperationFailed, $"the human monitor gave no text: {hmp.Json}"));
    }
}

internal sealed record HmpArguments([property: System.Text.Json.Serialization.JsonPropertyName("command-line")] string CommandLine);

internal sealed record HmpCommand(HmpArguments Arguments)
{
    public string Execute => "human-monitor-command";
}

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
[System.Text.Json.Serialization.JsonSerializable(typeof(HmpCommand))]
internal sealed partial class LibvirtJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
