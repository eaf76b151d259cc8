using Virt.TestSupport;

namespace Virt.Integration.Tests.Support;

/// <summary>
/// The native `virt` users run, against one daemon socket, without its JIT companion (every client verb must work in
/// the native binary alone); a run may set variables and feed stdin.
/// </summary>
public sealed class VirtCli(string socketPath, string scratchDir)
{
    public string Uri { get; } = $"qemu:///session?socket={socketPath}";

    public Task<ClientProcess.Result> RunAsync(string[] args, IReadOnlyDictionary<string, string>? environment = null, string stdin = "")
    {
        var variables = new Dictionary<string, string>(environment ?? new Dictionary<string, string>())
        {
            ["VIRT_COMPANION"] = Path.Combine(scratchDir, "no-companion"),
        };
        return ClientProcess.RunAsync(NativeVirt.Path, ["-c", Uri, .. args], environment: variables, stdin: stdin);
    }

    /// <summary>Defines the test guest <paramref name="name"/> (its files in the scratch directory) with more devices, through `virt define`.</summary>
    public async Task DefineGuestAsync(string name, string devices = "")
    {
        var file = Path.Combine(scratchDir, name + ".xml");
        await File.WriteAllTextAsync(file, TestGuest.WithDevices(TestGuest.Xml(scratchDir, name), devices));
        await OkAsync("define", file);
    }

    /// <summary>What virt prints, once it exits 0 with nothing on stderr.</summary>
    public async Task<string> OkAsync(params string[] args)
    {
        var result = await RunAsync(args);
        Assert.True(result.Exit == 0, $"virt {string.Join(' ', args)}: {result}");
        Assert.Equal("", result.Err);
        return result.Out;
    }
}
