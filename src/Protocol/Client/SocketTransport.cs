using System.Runtime.CompilerServices;
using System.Text.Json;
using Virt.Protocol.Api;
using Virt.Protocol.Connection;
using Virt.Protocol.Errors;
using Virt.Protocol.Events;
using Virt.Protocol.Rpc;
using Virt.Protocol.Wire;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Protocol.Client;

/// <summary>A daemon reached over its UNIX socket with the framed JSON protocol.</summary>
public sealed class SocketTransport : IVirtTransport, IConsoleTransport
{
    public const string SubscribeProcedure = "events.subscribe";

    private readonly WireClient _client;

    private SocketTransport(WireClient client) => _client = client;

    public Task Completion => _client.Completion;

    public static async Task<IVirtTransport> OpenAsync(VirtUri uri, VirtConnectionOptions options, CancellationToken ct)
    {
        var path = options.SocketPath ?? uri.Socket ?? DefaultSocketPath(uri, options.ReadOnly);
        return new SocketTransport(await WireClient.ConnectUnixAsync(path, restartWait: options.RestartWait, ct: ct).ConfigureAwait(false));
    }

    /// <summary>The socket a URI implies, by the table in ARCHITECTURE.md (kept here so clients need no runtime).</summary>
    public static string DefaultSocketPath(VirtUri uri, bool readOnly = false)
    {
        switch (uri.Mode)
        {
            case RuntimeMode.System:
                return readOnly ? "/run/virt/virt-sock-ro" : "/run/virt/virt-sock";
            case RuntimeMode.Session:
                var xdg = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
                var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
                var dir = string.IsNullOrEmpty(xdg) ? Path.Combine(home, ".cache", "virt", "run") : Path.Combine(xdg, "virt");
                return Path.Combine(dir, "virt-sock");
            default:
                throw new VirtException(ErrorCode.OperationInvalid, $"{uri} has no daemon socket");
        }
    }

    public async Task<IDomainReply> CallAsync(DomainCommands.IDomainCommand command, TimeSpan timeout, CancellationToken ct)
    {
        try
        {
            var body = await _client.CallAsync(Procedures.NameOf(command), Procedures.EncodeCommand(command), timeout, ct).ConfigureAwait(false);
            return Procedures.DecodeReply(body);
        }
        catch (VirtException e)
        {
            return ErrorReply.From(e);
        }
    }

    public async Task<IConsoleChannel> OpenConsoleAsync(ConsoleCommands.OpenConsole command, TimeSpan timeout, CancellationToken ct)
    {
        var stream = await _client.OpenStreamAsync(Procedures.ConsoleProcedure, Procedures.EncodeCommand(command), timeout, ct).ConfigureAwait(false);
        if (Procedures.DecodeReply(stream.Reply) is not ConsoleReplies.ConsoleOpened opened)
        {
            await stream.EndAsync(ct).ConfigureAwait(false);
            throw new VirtException(ErrorCode.Rpc, $"the daemon answered {Procedures.ConsoleProcedure} with a reply of another kind");
        }
        return new WireConsoleChannel(opened.Device, stream);
    }

    public async Task SubscribeAsync(EventSubscription subscription, CancellationToken ct) =>
        await _client.CallAsync(SubscribeProcedure, JsonSerializer.SerializeToElement(subscription, ApiJsonContext.Default.EventSubscription), ct: ct).ConfigureAwait(false);

    public async IAsyncEnumerable<DomainLifecycleEvent> Events([EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var e in _client.ReadEventsAsync(ct).ConfigureAwait(false))
        {
            if (e.Procedure == Procedures.EventProcedure)
                yield return Procedures.DecodeEvent(e.Body);
        }
    }

    public async IAsyncEnumerable<object> AllEvents([EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var e in _client.ReadEventsAsync(ct).ConfigureAwait(false))
        {
            if (Procedures.DecodeAnyEvent(e.Procedure, e.Body) is { } known)
                yield return known;
        }
    }

    public ValueTask DisposeAsync() => _client.DisposeAsync();
}
