using Virt.Protocol.Api;
using Virt.Protocol.Errors;
using Virt.Supervisor.Consoles;

namespace Virt.Actors.Domains.Consoles;

/// <summary>
/// One open console: the daemon's pty end, pumped on its own thread straight to the edge's output, so no byte passes
/// through an actor. It ends once, whoever ends it: the client (Close), the owner (End: force, domain stopped), or
/// the pty (QEMU closed it); <paramref name="ended"/> then tells the owner, from whichever thread that was.
/// </summary>
internal sealed class ConsoleSession(long id, string device, PtyConsole pty, Action<ConsoleSession> ended) : IConsoleStream, IHeldConsole
{
    private readonly Lock _gate = new();
    private IConsoleOutput? _output;
    private bool _over;
    private VirtException? _endReason;

    public long Id { get; } = id;
    public string Device { get; } = device;

    public void Start(IConsoleOutput output)
    {
        lock (_gate)
        {
            if (_output is not null)
                throw new InvalidOperationException("the console session has started already");
            _output = output;
            if (!_over)
            {
                pty.Start(output.Data, failure => Finish(failure is null ? null : new VirtException(ErrorCode.OperationFailed,
                    $"console {Device}: {failure.Message}"), tellOutput: true, tellOwner: true));
                return;
            }
        }
        output.Ended(_endReason); // ended before the edge started it (taken over at once)
    }

    public bool Write(ReadOnlySpan<byte> data) => !Volatile.Read(ref _over) && pty.Write(data);

    public void Close() => Finish(null, tellOutput: false, tellOwner: true);

    public void End(VirtException? reason) => Finish(reason, tellOutput: true, tellOwner: false);

    private void Finish(VirtException? reason, bool tellOutput, bool tellOwner)
    {
        IConsoleOutput? output;
        lock (_gate)
        {
            if (_over)
                return;
            _over = true;
            _endReason = reason;
            output = _output;
        }
        pty.Dispose();
        if (tellOutput)
            output?.Ended(reason);
        if (tellOwner)
            ended(this);
    }
}
