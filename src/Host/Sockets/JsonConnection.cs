using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Virt.Protocol.Api;
using Virt.Protocol.Errors;
using Virt.Protocol.Wire;

namespace Virt.Host.Sockets;

/// <summary>A client of Virt's own framed JSON protocol (`virt`, VirtConnection): envelopes in, replies and events out.</summary>
internal sealed class JsonConnection(NetworkStream stream, ClientIdentity identity, SocketServerOptions options, IWireSessionFactory sessions, ILogger log)
    : FramedConnection<WireEnvelope>(stream, identity, options, log), IEventSink
{
    private const int MaxEchoedProcedure = 128;
    private const int MaxErrorMessage = 8 * 1024;

    private static readonly byte[] HeartbeatFrame =
        FrameCodec.Encode(new WireEnvelope { Type = MessageType.Event, Procedure = Keepalive.HeartbeatProcedure });

    private IWireSession? _session;
    private WireStreams? _streams;

    private WireStreams Streams => LazyInitializer.EnsureInitialized(ref _streams, () => new WireStreams(frame => Enqueue(frame, false)));

    protected override byte[] Heartbeat => HeartbeatFrame;

    protected override async Task<bool> OpenAsync(CancellationToken ct)
    {
        try
        {
            _session = await sessions.OpenAsync(Identity, this, ct).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.LogError(e, "Cannot open a session for client pid {Pid}", Identity.Pid);
            await FrameCodec.WriteAsync(Stream, ErrorEnvelope(0, "connection", e as VirtException
                ?? new VirtException(ErrorCode.InternalError, $"cannot open a session: {e.Message}"))).ConfigureAwait(false);
            return false;
        }
    }

    protected override ValueTask CloseSessionAsync()
    {
        Streams.CloseAll(); // made if need be: a console open still being answered finds it closed
        return _session?.DisposeAsync() ?? ValueTask.CompletedTask;
    }

    protected override Task<WireEnvelope?> ReadFrameAsync(CancellationToken ct) => FrameCodec.ReadAsync(Stream, Options.MaxFrameBytes, ct);

    protected override Task? Handle(WireEnvelope envelope, CancellationToken ct)
    {
        if (envelope.Type == MessageType.Stream)
        {
            Streams.Received(envelope);
            return null;
        }
        if (envelope.Type != MessageType.Call)
        {
            Close(new VirtException(ErrorCode.Rpc, $"expected a call, got a {envelope.Type.ToString().ToLowerInvariant()}"));
            return null;
        }
        if (envelope.Procedure.Length > MaxEchoedProcedure)
        {
            // No procedure has such a name; saying so must not echo it back.
            Enqueue(ErrorEnvelope(envelope.Serial, "unknown", new VirtException(ErrorCode.Rpc,
                $"unknown procedure (a name of {envelope.Procedure.Length} characters)")), false);
            return null;
        }
        if (Draining)
        {
            Enqueue(ErrorEnvelope(envelope.Serial, envelope.Procedure, new VirtException(ErrorCode.OperationInvalid, "the daemon is shutting down")), false);
            return null;
        }
        return DispatchAsync(envelope, ct);
    }

    private async Task DispatchAsync(WireEnvelope call, CancellationToken ct)
    {
        WireEnvelope answer;
        IConsoleStream? stream = null;
        try
        {
            JsonElement? body;
            if (_session is IWireStreamSession streaming && streaming.OpensStream(call.Procedure))
                (body, stream) = await streaming.OpenStreamAsync(call.Procedure, call.Body, ct).ConfigureAwait(false);
            else
                body = await _session!.CallAsync(call.Procedure, call.Body, ct).ConfigureAwait(false);
            answer = new WireEnvelope { Type = MessageType.Reply, Serial = call.Serial, Procedure = call.Procedure, Body = body };
        }
        catch (VirtException e)
        {
            answer = ErrorEnvelope(call.Serial, call.Procedure, e);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.LogError(e, "Procedure {Procedure} failed unexpectedly", call.Procedure);
            answer = ErrorEnvelope(call.Serial, call.Procedure, new VirtException(ErrorCode.InternalError, $"{call.Procedure} failed: {e.Message}"));
        }
        catch (OperationCanceledException)
        {
            return;
        }
        if (stream is null)
            Enqueue(answer, false);
        else
            Streams.Opened(call.Serial, call.Procedure, stream, () => Enqueue(answer, false));
    }

    private void Enqueue(WireEnvelope envelope, bool isEvent)
    {
        byte[] frame;
        try
        {
            frame = FrameCodec.Encode(envelope, Options.MaxFrameBytes);
        }
        catch (WireProtocolException e)
        {
            frame = FrameCodec.Encode(ErrorEnvelope(envelope.Serial, envelope.Procedure, e));
        }
        Enqueue(frame, isEvent);
    }

    public bool TryPush(string procedure, JsonElement? body)
    {
        if (Closed)
            return false;
        Enqueue(new WireEnvelope { Type = MessageType.Event, Procedure = procedure, Body = body }, true);
        return !Closed;
    }

    protected override byte[] CloseFrame(VirtException reason) => FrameCodec.Encode(ErrorEnvelope(0, "connection", reason));

    /// <summary>An error for the client; what it sent is echoed only in bounded form.</summary>
    internal static WireEnvelope ErrorEnvelope(long serial, string procedure, VirtException error) => new()
    {
        Type = MessageType.Error,
        Serial = serial,
        Procedure = Bounded(procedure, MaxEchoedProcedure),
        Body = FrameCodec.ToBody(new WireError(error.Code.WireName(), Bounded(error.Message, MaxErrorMessage))),
    };

    private static string Bounded(string text, int max) => text.Length <= max ? text : text[..max] + "…";
}
