using Virt.Supervisor.Processes;
using Virt.Integration.Tests.Support;

namespace Virt.Integration.Tests.Libvirt;

/// <summary>
/// &lt;tpm&gt; with an emulator backend: a swtpm per guest, started before QEMU and gone with it, whose state outlives
/// a restart of the guest and goes with an undefine unless kept.
/// </summary>
public sealed class TpmTests : DaemonTestBase
{
    private const string Tpm = "<tpm model='tpm-crb'><backend type='emulator' version='2.0'/></tpm>";

    private Virsh Client => new(Daemon.SocketPath);

    private async Task<Guid> DefineAsync(string name, string? diskPath = null)
    {
        var uuid = Guid.NewGuid();
        var xml = TestGuest.Xml(Dir.Path, name, uuid).Replace("<memballoon model='none'/>", Tpm + "<memballoon model='none'/>");
        if (diskPath is not null)
            xml = xml.Replace(Path.Combine(Dir.Path, name + ".img"), diskPath);
        var file = Dir.Combine(name + ".xml");
        await File.WriteAllTextAsync(file, xml);
        await Client.OkAsync("define", file);
        return uuid;
    }

    // The daemon keeps each TPM's state beside the configs, in swtpm/UUID/tpm2.
    private string StateOf(Guid uuid) => Path.Combine(Daemon.Root, "etc", "qemu", "swtpm", uuid.ToString("D"), "tpm2");

    private async Task WaitGoneAsync(IReadOnlyList<int> pids)
    {
        for (var i = 0; i < 500 && pids.Any(p => ProcFs.IsAlive(p)); i++)
            await Task.Delay(20);
        Assert.All(pids, p => Assert.False(ProcFs.IsAlive(p), $"swtpm {p} outlived its QEMU"));
    }

    [Fact]
    public async Task A_guest_tpm_runs_on_swtpm_that_ends_with_qemu_and_keeps_its_state_until_undefine()
    {
        var uuid = await DefineAsync("tpm");
        Assert.Contains("<tpm model='tpm-crb'>", await Client.OkAsync("dumpxml", "--inactive", "tpm"));
        await Client.OkAsync("start", "tpm");
        var swtpm = QemuReaper.FindSwtpmUnder(Daemon.Root);
        Assert.Single(swtpm);
        var cmdline = await File.ReadAllTextAsync($"/proc/{QemuReaper.FindUnder(Dir.Path).Single()}/cmdline");
        Assert.Contains("tpm-crb", cmdline);
        // QEMU initialised the TPM through swtpm, which wrote its permanent state.
        Assert.True(File.Exists(Path.Combine(StateOf(uuid), "tpm2-00.permall")), "no TPM state was written");

        await Client.OkAsync("destroy", "tpm");
        await WaitGoneAsync(swtpm);
        var before = await File.ReadAllBytesAsync(Path.Combine(StateOf(uuid), "tpm2-00.permall"));
        await Client.OkAsync("start", "tpm");
        var again = QemuReaper.FindSwtpmUnder(Daemon.Root);
        Assert.Single(again);
        // The same TPM: its endorsement seed, in the permanent state, survived the restart.
        Assert.Equal(before.Length, (await File.ReadAllBytesAsync(Path.Combine(StateOf(uuid), "tpm2-00.permall"))).Length);
        await Client.OkAsync("destroy", "tpm");
        await WaitGoneAsync(again);

        await Client.OkAsync("undefine", "tpm");
        Assert.False(Directory.Exists(Path.GetDirectoryName(StateOf(uuid))), "undefine left the TPM state");
    }

    [Fact]
    public async Task Undefine_keep_tpm_keeps_the_state()
    {
        var uuid = await DefineAsync("kept");
        await Client.OkAsync("start", "kept");
        var swtpm = QemuReaper.FindSwtpmUnder(Daemon.Root);
        await Client.OkAsync("destroy", "kept");
        await WaitGoneAsync(swtpm);
        await Client.OkAsync("undefine", "--keep-tpm", "kept");
        Assert.True(File.Exists(Path.Combine(StateOf(uuid), "tpm2-00.permall")));
    }

    [Fact]
    public async Task A_qemu_that_dies_at_start_leaves_no_swtpm_behind()
    {
        await DefineAsync("broken", diskPath: Dir.Combine("missing.img"));
        var start = await Client.RunAsync("start", "broken");
        Assert.Equal(1, start.Exit);
        await WaitGoneAsync(QemuReaper.FindSwtpmUnder(Daemon.Root));
        Assert.Empty(QemuReaper.FindSwtpmUnder(Daemon.Root));
    }
}
