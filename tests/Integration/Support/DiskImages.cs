using System.Text.Json;

namespace Virt.Integration.Tests.Support;

/// <summary>What a user checks of a guest's disk images: qemu-img's view, qemu-io's reads and writes, and QEMU's own (query-block).</summary>
public static class DiskImages
{
    /// <summary>qemu-img info of one image (-U: a running QEMU holds its lock).</summary>
    public static async Task<JsonElement> InfoAsync(string image)
    {
        var info = await ClientProcess.RunAsync("qemu-img", ["info", "-U", "--output=json", image]);
        Assert.True(info.Exit == 0, info.ToString());
        return JsonDocument.Parse(info.Out).RootElement.Clone();
    }

    /// <summary>The files of the image's whole chain, top first (qemu-img info --backing-chain).</summary>
    public static async Task<string[]> ChainAsync(string image)
    {
        var info = await ClientProcess.RunAsync("qemu-img", ["info", "-U", "--output=json", "--backing-chain", image]);
        Assert.True(info.Exit == 0, info.ToString());
        using var json = JsonDocument.Parse(info.Out);
        return [.. json.RootElement.EnumerateArray().Select(i => i.GetProperty("filename").GetString()!)];
    }

    /// <summary>One qemu-io command (write -P, read -P) on a shut-off image; a read with a pattern fails when the data differ.</summary>
    public static async Task<ClientProcess.Result> QemuIoAsync(string image, string format, string command) =>
        await ClientProcess.RunAsync("qemu-io", ["-f", format, "-c", command, image]);

    /// <summary>The file QEMU's drive writes to now, and the one under it (query-block through virsh).</summary>
    public static async Task<(string File, string? Backing)> ActiveImageAsync(Virsh virsh, string name)
    {
        using var json = JsonDocument.Parse(await virsh.OkAsync("qemu-monitor-command", name, "{\"execute\":\"query-block\"}"));
        var inserted = json.RootElement.GetProperty("return").EnumerateArray().Single(d => d.TryGetProperty("inserted", out _)).GetProperty("inserted");
        return (inserted.GetProperty("file").GetString()!, inserted.TryGetProperty("backing_file", out var b) ? b.GetString() : null);
    }

    /// <summary>virsh fails with libvirt's message.</summary>
    public static async Task AssertRefusedAsync(Virsh virsh, string message, params string[] args)
    {
        var refused = await virsh.RunAsync(args);
        Assert.True(refused.Exit != 0, refused.ToString());
        Assert.Contains(message, refused.Err);
    }
}
