using System.Threading.Channels;
using Virt.Protocol.Api;
using Virt.Protocol.Errors;

namespace Virt.Protocol.Client;

/// <summary>A console of a runtime in this process (qemu:///embed): the session itself, no wire between.</summary>
internal sealed class LocalConsoleChannel : IConsoleChannel, IConsoleOutput
{
    private readonly IConsoleStream _stream;
    private readonly Channel<byte[]> _output = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });

    public LocalConsoleChannel(string device, IConsoleStream stream)
    {
        Device = device;
        _stream = stream;
        stream.Start(this);
    }

    public string Device { get; }
    public ChannelReader<byte[]> Output => _output.Reader;

    public Task WriteAsync(ReadOnlyMemory<byte> data, CancellationToken ct = default) =>
        _stream.Write(data.Span) ? Task.CompletedTask
        : Task.FromException(new VirtException(ErrorCode.OperationFailed, "the console session is over or the guest takes no more input"));

    void IConsoleOutput.Data(ReadOnlySpan<byte> data) => _output.Writer.TryWrite(data.ToArray());

    void IConsoleOutput.Ended(VirtException? reason) => _output.Writer.TryComplete(reason);

    public ValueTask DisposeAsync()
    {
        _stream.Close();
        _output.Writer.TryComplete();
        return ValueTask.CompletedTask;
    }
}
