using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Virt.Protocol.Api;
using Virt.Protocol.Errors;
using Virt.Protocol.Events;
using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Protocol.Rpc;

/// <summary>
/// The procedures of the API: each name maps to one command record, and each reply record to one kind.
/// The socket protocol and the Akka.Remote serializer both go through this table, so they cannot drift.
/// </summary>
public static class Procedures
{
    public const string EventProcedure = "domain.event";
    public const string RebootEventProcedure = "domain.reboot-event";
    public const string DeviceEventProcedure = "domain.device-event";

    /// <summary>Opens a console; on the socket its reply is followed by stream frames both ways (<see cref="Wire.WireStreamChunk"/>).</summary>
    public const string ConsoleProcedure = "domain.console";

    /// <summary>Opens a display client; its reply hands over a socket, so it is named here but never encoded (<see cref="IsLocalOnly"/>).</summary>
    public const string OpenGraphicsProcedure = "domain.open-graphics";

    // Contracts are looked up by delegate and built on first use: building all of them (JsonTypeInfo.Configure)
    // was 15% of a native `virt list`, which needs three.
    private static readonly Dictionary<string, Func<ApiJsonContext, JsonTypeInfo>> CommandsByName = [];
    private static readonly Dictionary<Type, string> NamesByCommand = [];
    private static readonly Dictionary<string, Func<ApiJsonContext, JsonTypeInfo>> RepliesByKind = [];
    private static readonly Dictionary<Type, string> KindsByReply = [];
    private static readonly HashSet<Type> LocalOnlyTypes = [];

    static Procedures()
    {
        Command("domain.define", json => json.DefineDomain);
        Command("domain.undefine", json => json.UndefineDomain);
        Command("domain.create", json => json.CreateDomain);
        Command("domain.lookup", json => json.LookupDomain);
        Command("domain.list", json => json.ListDomains);
        Command("domain.autostart", json => json.SetAutostart);
        Command("domain.migrate", json => json.MigrateDomain);
        Command("domain.xml", json => json.GetDomainXml);
        Command("domain.info", json => json.GetDomainInfo);
        Command("domain.start", json => json.StartDomain);
        Command("domain.shutdown", json => json.ShutdownDomain);
        Command("domain.destroy", json => json.DestroyDomain);
        Command("domain.suspend", json => json.SuspendDomain);
        Command("domain.resume", json => json.ResumeDomain);
        Command("domain.reboot", json => json.RebootDomain);
        Command("domain.reset", json => json.ResetDomain);
        Command("domain.monitor-command", json => json.QemuMonitorCommand);
        Command("domain.attach", json => json.AttachDomain);
        Command("domain.stats", json => json.GetDomainStats);
        Command("domain.memory-stats", json => json.GetMemoryStats);
        Command("domain.set-memory", json => json.SetMemory);
        Command("domain.set-vcpus", json => json.SetVcpus);
        Command("domain.save", json => json.SaveDomain);
        Command("domain.managed-save", json => json.ManagedSaveDomain);
        Command("domain.managed-save-remove", json => json.RemoveManagedSave);
        Command("domain.restore", json => json.RestoreDomain);
        Command("domain.update-device", json => json.UpdateDevice);
        Command("domain.attach-device", json => json.AttachDevice);
        Command("domain.detach-device", json => json.DetachDevice);
        Command("domain.snapshot-create", json => json.CreateSnapshot);
        Command("domain.snapshot-list", json => json.ListSnapshots);
        Command("domain.snapshot-get", json => json.GetSnapshot);
        Command("domain.snapshot-revert", json => json.RevertSnapshot);
        Command("domain.snapshot-delete", json => json.DeleteSnapshot);
        Command("domain.job-stats", json => json.GetJobStats);
        Command("domain.abort-job", json => json.AbortJob);
        Command("domain.screenshot", json => json.TakeScreenshot);
        Command(ConsoleProcedure, json => json.OpenConsole);
        LocalOnly<OpenGraphics, GraphicsOpened>(OpenGraphicsProcedure);

        Reply("summary", json => json.DomainSummary);
        Reply("list", json => json.DomainList);
        Reply("xml", json => json.DomainXmlDescription);
        Reply("info", json => json.DomainInfo);
        Reply("monitor-reply", json => json.QemuMonitorReply);
        Reply("stats", json => json.DomainStatsList);
        Reply("domain-stats", json => json.DomainStatsRecord);
        Reply("memory-stats", json => json.MemoryStats);
        Reply("snapshot", json => json.SnapshotDescription);
        Reply("snapshots", json => json.SnapshotList);
        Reply("job-stats", json => json.JobStats);
        Reply("screenshot", json => json.ScreenshotImage);
        Reply("console", json => json.ConsoleOpened);
    }

    private static void Command<T>(string name, Func<ApiJsonContext, JsonTypeInfo<T>> info) where T : IDomainCommand
    {
        CommandsByName.Add(name, info);
        NamesByCommand.Add(typeof(T), name);
    }

    private static void Reply<T>(string kind, Func<ApiJsonContext, JsonTypeInfo<T>> info) where T : IDomainReply
    {
        RepliesByKind.Add(kind, info);
        KindsByReply.Add(typeof(T), kind);
    }

    /// <summary>A command whose reply carries a file descriptor: it has a name, for messages, and no contract.</summary>
    private static void LocalOnly<TCommand, TReply>(string name) where TCommand : IDomainCommand where TReply : IDomainReply
    {
        NamesByCommand.Add(typeof(TCommand), name);
        LocalOnlyTypes.Add(typeof(TCommand));
        LocalOnlyTypes.Add(typeof(TReply));
    }

    /// <summary>True for a command (or reply) that hands over a file descriptor, which no JSON frame or Akka.Remote message can carry.</summary>
    public static bool IsLocalOnly(object message) => LocalOnlyTypes.Contains(message.GetType());

    /// <summary>Why a local-only procedure is refused where it cannot go.</summary>
    public static string LocalOnlyReason(string procedure) =>
        $"{procedure} hands over a file descriptor, which only libvirt's protocol on the daemon's UNIX socket can pass; use a libvirt client there";

    private static VirtException LocalOnlyError(string procedure) => new(ErrorCode.ConfigUnsupported, LocalOnlyReason(procedure));

    /// <summary>The names of the procedures the wire carries (local-only ones are not among them).</summary>
    public static IEnumerable<string> Names => CommandsByName.Keys;

    /// <summary>A name a client sent, bounded for quoting in an error: an unknown name may be any size.</summary>
    private static string Shorten(string procedure) => procedure.Length <= 64 ? procedure : procedure[..64] + "…";

    /// <summary>What a person reads for a command in a message: its procedure name, never a .NET type name.</summary>
    public static string Describe(IDomainCommand command) =>
        NamesByCommand.TryGetValue(command.GetType(), out var name) ? name : "the request";

    /// <summary>Every command record type with its procedure name.</summary>
    public static IReadOnlyDictionary<Type, string> CommandTypes => NamesByCommand;

    public static string NameOf(IDomainCommand command) =>
        NamesByCommand.TryGetValue(command.GetType(), out var name)
            ? name
            : throw new VirtException(ErrorCode.InternalError, "this request has no procedure on the wire");

    /// <summary>The kind an <see cref="ErrorReply"/> travels under where errors are replies (Akka.Remote), not envelopes.</summary>
    public const string ErrorReplyKind = "error";

    /// <summary>Every reply kind, the error kind included.</summary>
    public static IEnumerable<string> ReplyKinds => RepliesByKind.Keys.Append(ErrorReplyKind);

    /// <summary>The kind a reply record travels under; an <see cref="ErrorReply"/> is <see cref="ErrorReplyKind"/>.</summary>
    public static string KindOf(IDomainReply reply) =>
        reply is ErrorReply ? ErrorReplyKind
        : IsLocalOnly(reply) ? throw LocalOnlyError(OpenGraphicsProcedure)
        : KindsByReply.TryGetValue(reply.GetType(), out var kind) ? kind
        : throw new VirtException(ErrorCode.InternalError, $"{reply.GetType().Name} has no wire kind");

    /// <summary>The JSON contract of the command a procedure names, if it names one.</summary>
    public static bool TryGetCommandContract(string procedure, [NotNullWhen(true)] out JsonTypeInfo? contract)
    {
        contract = CommandsByName.TryGetValue(procedure, out var info) ? info(ApiJsonContext.Default) : null;
        return contract is not null;
    }

    /// <summary>The JSON contract of the reply a kind names, the error kind included.</summary>
    public static bool TryGetReplyContract(string kind, [NotNullWhen(true)] out JsonTypeInfo? contract)
    {
        if (kind == ErrorReplyKind)
        {
            contract = ApiJsonContext.Default.ErrorReply;
            return true;
        }
        contract = RepliesByKind.TryGetValue(kind, out var info) ? info(ApiJsonContext.Default) : null;
        return contract is not null;
    }

    public static JsonElement EncodeCommand(IDomainCommand command) =>
        IsLocalOnly(command) ? throw LocalOnlyError(NameOf(command))
        : JsonSerializer.SerializeToElement(command, CommandsByName[NameOf(command)](ApiJsonContext.Default));

    /// <summary>Reads a call's body as the command its procedure names; anything malformed is an RPC error.</summary>
    public static IDomainCommand DecodeCommand(string procedure, JsonElement? body)
    {
        if (procedure == OpenGraphicsProcedure)
            throw LocalOnlyError(procedure);
        if (!TryGetCommandContract(procedure, out var info))
            throw new VirtException(ErrorCode.Rpc, $"unknown procedure '{Shorten(procedure)}'");
        if (body is not { ValueKind: JsonValueKind.Object } value)
            throw new VirtException(ErrorCode.Rpc, $"{procedure}: the body must be a JSON object");
        try
        {
            return (IDomainCommand?)value.Deserialize(info)
                ?? throw new VirtException(ErrorCode.Rpc, $"{procedure}: empty body");
        }
        catch (JsonException e)
        {
            throw new VirtException(ErrorCode.Rpc, $"{procedure}: malformed body: {e.Message}");
        }
    }

    /// <summary>A successful reply as kind + value; an <see cref="ErrorReply"/> becomes the exception it stands for.</summary>
    public static JsonElement EncodeReply(IDomainReply reply)
    {
        if (reply is ErrorReply error)
            throw new VirtException(error.Code, error.Message);
        if (IsLocalOnly(reply))
            throw LocalOnlyError(OpenGraphicsProcedure);
        if (!KindsByReply.TryGetValue(reply.GetType(), out var kind))
            throw new VirtException(ErrorCode.InternalError, $"{reply.GetType().Name} has no wire kind");
        var value = JsonSerializer.SerializeToElement(reply, RepliesByKind[kind](ApiJsonContext.Default));
        return JsonSerializer.SerializeToElement(new WireReply(kind, value), ApiJsonContext.Default.WireReply);
    }

    public static IDomainReply DecodeReply(JsonElement? body)
    {
        try
        {
            var wire = body?.Deserialize(ApiJsonContext.Default.WireReply)
                ?? throw new VirtException(ErrorCode.Rpc, "reply without a body");
            if (wire.Kind == ErrorReplyKind || !TryGetReplyContract(wire.Kind, out var info))
                throw new VirtException(ErrorCode.Rpc, $"unknown reply kind '{wire.Kind}'");
            return (IDomainReply?)wire.Value.Deserialize(info) ?? throw new VirtException(ErrorCode.Rpc, "empty reply");
        }
        catch (JsonException e)
        {
            throw new VirtException(ErrorCode.Rpc, $"malformed reply: {e.Message}");
        }
    }

    public static JsonElement EncodeEvent(DomainLifecycleEvent e) =>
        JsonSerializer.SerializeToElement(e, ApiJsonContext.Default.DomainLifecycleEvent);

    public static JsonElement EncodeEvent(DomainRebootEvent e) => JsonSerializer.SerializeToElement(e, ApiJsonContext.Default.DomainRebootEvent);

    public static JsonElement EncodeEvent(DomainDeviceEvent e) => JsonSerializer.SerializeToElement(e, ApiJsonContext.Default.DomainDeviceEvent);

    /// <summary>
    /// Any event the daemon pushes, by its procedure: lifecycle, reboot or device; null for one this client does not
    /// know (a newer daemon's), which it skips.
    /// </summary>
    public static object? DecodeAnyEvent(string procedure, JsonElement? body)
    {
        try
        {
            return procedure switch
            {
                EventProcedure => DecodeEvent(body),
                RebootEventProcedure => body?.Deserialize(ApiJsonContext.Default.DomainRebootEvent),
                DeviceEventProcedure => body?.Deserialize(ApiJsonContext.Default.DomainDeviceEvent),
                _ => null,
            };
        }
        catch (JsonException e)
        {
            throw new VirtException(ErrorCode.Rpc, $"malformed {procedure}: {e.Message}", e);
        }
    }

    public static DomainLifecycleEvent DecodeEvent(JsonElement? body)
    {
        try
        {
            return body?.Deserialize(ApiJsonContext.Default.DomainLifecycleEvent)
                ?? throw new VirtException(ErrorCode.Rpc, "event without a body");
        }
        catch (JsonException e)
        {
            throw new VirtException(ErrorCode.Rpc, $"malformed event: {e.Message}");
        }
    }
}
