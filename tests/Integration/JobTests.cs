using Virt.Integration.Tests.Support;
using Virt.TestSupport;

namespace Virt.Integration.Tests;

/// <summary>
/// domjobinfo, domjobabort and save --verbose on the real daemon and QEMU, through the real virsh and `virt`. A save into
/// a FIFO the test reads holds the job open for as long as the test wants, so its progress can be watched and aborted.
/// </summary>
public sealed class JobTests : DaemonTestBase
{
    [Fact]
    public async Task A_save_in_progress_shows_its_figures_and_an_abort_leaves_the_guest_running()
    {
        await StartTestGuestAsync("jb");
        var fifo = Dir.Combine("jb.pipe");
        Assert.Equal(0, Fifo.Make(fifo));
        var save = Virsh.RunAsync("save", "jb", fifo);
        // The daemon opens the FIFO to write; the header and the stream's start are read, then the test stops reading.
        var opening = Task.Run(() => new FileStream(fifo, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
        FileStream reader;
        try
        {
            reader = await opening.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            using (new FileStream(fifo, FileMode.Open, FileAccess.Write, FileShare.ReadWrite)) { } // frees the blocked open
            throw;
        }
        await using (reader)
        {
            await reader.ReadExactlyAsync(new byte[8192]);
            string info = "";
            await WaitForAsync(async () => (info = await Virsh.OkAsync("domjobinfo", "jb")).Contains("Data processed:"));
            Assert.StartsWith("Job type:         Unbounded   \nOperation:        Save        \nTime elapsed:     ", info);
            Assert.Contains("Memory total:", info);
            Assert.Contains("Expected downtime:", info);
            Assert.Equal("paused (saving)\n\n", await Virsh.OkAsync("domstate", "--reason", "jb"));
            var raw = await VirtAsync("domjobinfo", "jb", "--rawstats");
            Assert.StartsWith("Job type: 2\n\noperation: 2\ntime_elapsed: ", raw.Out);

            Assert.Equal("\n", await Virsh.OkAsync("domjobabort", "jb"));
            var saved = await save.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.NotEqual(0, saved.Exit);
            Assert.Contains("operation aborted: job 'domain save' canceled by client", saved.Err);
        }
        Assert.Equal("running (save canceled)\n\n", await Virsh.OkAsync("domstate", "--reason", "jb"));
        Assert.True(File.Exists(fifo), "the FIFO the user named was removed");
        Assert.Equal("Job type:         None        \n\n", await Virsh.OkAsync("domjobinfo", "jb"));
        var nothing = await Virsh.RunAsync("domjobabort", "jb");
        Assert.NotEqual(0, nothing.Exit);
        Assert.Contains("no job is active on the domain", nothing.Err);

        // The guest ran on: the same domain saves to a file afterwards.
        Assert.Equal(0, (await VirtAsync("save", "jb", Dir.Combine("jb.save"))).Exit);
        Assert.Empty(QemuReaper.FindUnder(Dir.Path));
    }

    [Fact]
    public async Task A_completed_save_keeps_its_figures_for_one_reader_and_verbose_prints_its_progress()
    {
        await StartTestGuestAsync("jc");
        var image = Dir.Combine("jc.save");
        var verbose = await VirtAsync("save", "jc", image, "--verbose");
        Assert.Equal(0, verbose.Exit);
        Assert.EndsWith("\rSave: [100 %]", verbose.Err);
        Assert.Equal($"\nDomain 'jc' saved to {image}\n\n", verbose.Out);

        var notRunning = await Virsh.RunAsync("domjobinfo", "jc");
        Assert.NotEqual(0, notRunning.Exit);
        Assert.Contains("is not running", notRunning.Err);

        var kept = await Virsh.OkAsync("domjobinfo", "jc", "--completed", "--keep-completed");
        Assert.StartsWith("Job type:         Completed   \nOperation:        Save        \nTime elapsed:     ", kept);
        Assert.Contains("Total downtime:", kept);
        Assert.Contains("Memory total:", kept);
        Assert.Contains("Job type:         Completed", (await VirtAsync("domjobinfo", "jc", "--completed")).Out);
        Assert.Equal("Job type:         None        \n\n", await Virsh.OkAsync("domjobinfo", "jc", "--completed"));

        // virsh's own --verbose polls the old GET_JOB_INFO call and ends with [100 %] on stderr.
        await Virsh.OkAsync("restore", image);
        var virshVerbose = await Virsh.RunAsync("managedsave", "jc", "--verbose");
        Assert.Equal(0, virshVerbose.Exit);
        Assert.Contains("Managedsave: [100 %]", virshVerbose.Err);
        Assert.Empty(QemuReaper.FindUnder(Dir.Path));
    }
}
