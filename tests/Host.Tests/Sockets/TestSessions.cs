using System.Collections.Concurrent;
using System.Text.Json;
using Virt.Host.Sockets;
using Virt.Protocol.Errors;

namespace Virt.Host.Tests.Sockets;

/// <summary>A session factory with a few procedures that exercise the server's paths.</summary>
internal sealed class TestSessions : IWireSessionFactory
{
    public ConcurrentQueue<ClientIdentity> Opened { get; } = new();
    public ConcurrentQueue<ClientIdentity> Closed { get; } = new();
    public TaskCompletionSource ReleaseSlow { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    /// <summary>Calls the sessions began to answer, whatever the procedure.</summary>
    public int Dispatched => _dispatched;
    private int _dispatched;

    public Task<IWireSession> OpenAsync(ClientIdentity client, IEventSink events, CancellationToken ct)
    {
        Opened.Enqueue(client);
        return Task.FromResult<IWireSession>(new Session(this, client, events));
    }

    private sealed class Session(TestSessions owner, ClientIdentity client, IEventSink events) : IWireSession
    {
        public async Task<JsonElement?> CallAsync(string procedure, JsonElement? body, CancellationToken ct)
        {
            Interlocked.Increment(ref owner._dispatched);
            switch (procedure)
            {
                case "echo":
                    return body;
                case "slow":
                    await owner.ReleaseSlow.Task.WaitAsync(ct);
                    return body;
                case "fail":
                    throw new VirtException(ErrorCode.NoDomain, "domain 'ghost' not found");
                case "crash":
                    throw new InvalidOperationException("boom");
                case "push":
                    var count = body!.Value.GetInt32();
                    var pushed = 0;
                    for (var i = 0; i < count && events.TryPush("tick", JsonSerializer.SerializeToElement(i)); i++)
                        pushed++;
                    return JsonSerializer.SerializeToElement(pushed);
                case "big":
                    return JsonSerializer.SerializeToElement(new string('x', body!.Value.GetInt32()));
                case "whoami":
                    return JsonSerializer.SerializeToElement(new { client.Uid, client.Pid, client.ReadOnly });
                default:
                    throw new VirtException(ErrorCode.Rpc, $"unknown procedure '{procedure}'");
            }
        }

        public ValueTask DisposeAsync()
        {
            owner.Closed.Enqueue(client);
            return ValueTask.CompletedTask;
        }
    }
}
