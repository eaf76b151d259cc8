using System.CommandLine;
using Virt.Protocol.Client;
using Virt.Protocol.Connection;
using Virt.TestSupport;

namespace Virt.Cli.Tests;

/// <summary>
/// Runs `virt` in-process with captured writers, a private environment, and connections aimed at a socket path
/// in a temporary directory (no daemon there until the lead's end-to-end tests start one).
/// </summary>
internal sealed class TestCli(Func<VirtUri, CancellationToken, Task<VirtConnection>>? connect = null) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public Dictionary<string, string> Environment { get; } = [];

    /// <summary>The URIs commands asked to connect to, in order.</summary>
    public List<VirtUri> Connected { get; } = [];

    public string SocketPath => _dir.Combine("virt-sock");

    public CliContext Context(StringWriter output, StringWriter error) => new(
        output,
        error,
        name => Environment.GetValueOrDefault(name),
        (uri, ct) =>
        {
            Connected.Add(uri);
            return connect is not null ? connect(uri, ct) : VirtConnection.OpenAsync(uri, new VirtConnectionOptions { SocketPath = SocketPath }, ct);
        },
        TimeProvider.System);

    public async Task<Result> RunAsync(params string[] args)
    {
        var output = new StringWriter { NewLine = "\n" };
        var error = new StringWriter { NewLine = "\n" };
        var exit = await VirtCommandLine.RunAsync(args, Context(output, error));
        return new Result(exit, output.ToString(), error.ToString());
    }

    /// <summary>Parses without running, for the tests of what a command line asks for.</summary>
    public ParseResult Parse(params string[] args)
    {
        var parse = VirtCommandLine.Create(Context(new StringWriter(), new StringWriter())).Parse(args);
        Assert.Empty(parse.Errors);
        return parse;
    }

    public void Dispose() => _dir.Dispose();

    public sealed record Result(int Exit, string Out, string Err)
    {
        public string[] ErrLines => Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
