using System.Text.Json;
using Virt.Actors.Connections;
using EventSubscription = Virt.Protocol.Client.EventSubscription;
using Virt.Host.Runtime;
using Virt.Host.Sockets;
using Virt.Protocol.Client;
using Virt.Protocol.Errors;
using Virt.Protocol.Events;
using Virt.Protocol.Rpc;

namespace Virt.Host.Daemon;

/// <summary>Opens one ConnectionActor per socket client and turns wire calls into its commands.</summary>
public sealed class DaemonSessions(VirtRuntime runtime) : IWireSessionFactory
{
    public const string UnsubscribeProcedure = "events.unsubscribe";

    public async Task<IWireSession> OpenAsync(ClientIdentity client, Sockets.IEventSink events, CancellationToken ct)
    {
        var info = new ClientInfo(client.Uid, client.Pid, client.ReadOnly, client.Transport);
        var connection = await runtime.OpenConnectionAsync(info, new WireEventSink(events), ct: ct).ConfigureAwait(false);
        return new Session(new ConnectionClient(connection, runtime.Config.Host.CallTimeout));
    }

    /// <summary>Hands lifecycle, reboot and device events to the socket's bounded queue.</summary>
    private sealed class WireEventSink(Sockets.IEventSink wire) : Actors.Connections.IEventSink
    {
        public bool TryPush(DomainLifecycleEvent e) => wire.TryPush(Procedures.EventProcedure, Procedures.EncodeEvent(e));

        public bool TryPush(DomainRebootEvent e) => wire.TryPush(Procedures.RebootEventProcedure, Procedures.EncodeEvent(e));

        public bool TryPush(DomainDeviceEvent e) => wire.TryPush(Procedures.DeviceEventProcedure, Procedures.EncodeEvent(e));
    }

    private sealed class Session(ConnectionClient client) : IWireSession, IWireStreamSession
    {
        public bool OpensStream(string procedure) => procedure == Procedures.ConsoleProcedure;

        public async Task<(JsonElement? Reply, Protocol.Api.IConsoleStream Stream)> OpenStreamAsync(string procedure, JsonElement? body, CancellationToken ct)
        {
            var reply = await client.CallAsync(Procedures.DecodeCommand(procedure, body), ct).ConfigureAwait(false);
            var encoded = Procedures.EncodeReply(reply); // an error reply throws here
            return reply is Protocol.Api.ConsoleReplies.ConsoleOpened { Stream: { } stream }
                ? (encoded, stream)
                : throw new VirtException(ErrorCode.InternalError, $"{procedure} gave no stream");
        }

        public async Task<JsonElement?> CallAsync(string procedure, JsonElement? body, CancellationToken ct)
        {
            switch (procedure)
            {
                case SocketTransport.SubscribeProcedure:
                    await client.SubscribeAsync(DecodeSubscription(body), ct).ConfigureAwait(false);
                    return null;
                case UnsubscribeProcedure:
                    await client.UnsubscribeAsync(ct).ConfigureAwait(false);
                    return null;
                default:
                    var command = Procedures.DecodeCommand(procedure, body);
                    return Procedures.EncodeReply(await client.CallAsync(command, ct).ConfigureAwait(false));
            }
        }

        private static EventSubscription DecodeSubscription(JsonElement? body)
        {
            try
            {
                return body?.Deserialize(ApiJsonContext.Default.EventSubscription) ?? new EventSubscription();
            }
            catch (JsonException e)
            {
                throw new VirtException(ErrorCode.Rpc, $"{SocketTransport.SubscribeProcedure}: malformed body: {e.Message}");
            }
        }

        public ValueTask DisposeAsync()
        {
            client.Close();
            return ValueTask.CompletedTask;
        }
    }
}
