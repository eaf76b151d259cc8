using System.Diagnostics;
using Virt.Supervisor.Processes;

namespace Virt.Supervisor.Tests.Processes;

public sealed class ShellQuoteAndProcStatTests
{
    [Theory]
    [InlineData("-machine", "-machine")]
    [InlineData("file=/a/b.img,format=raw", "file=/a/b.img,format=raw")]
    [InlineData("", "''")]
    [InlineData("a b", "'a b'")]
    [InlineData("it's", "'it'\\''s'")]
    [InlineData("$HOME;rm", "'$HOME;rm'")]
    public void Quote_matches_posix_shell_rules(string word, string expected) =>
        Assert.Equal(expected, ShellQuote.Quote(word));

    [Fact]
    public async Task Quoted_line_is_read_back_by_a_real_shell_as_the_same_words()
    {
        string[] words = ["a b", "it's", "", "$x", "\"q\"", "back\\slash", "semi;colon", "tab\there"];
        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardOutput = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("printf '%s\\0' " + ShellQuote.Join(words));
        using var sh = Process.Start(info)!;
        var output = await sh.StandardOutput.ReadToEndAsync();
        await sh.WaitForExitAsync();
        Assert.Equal(words, output.Split('\0')[..^1]);
    }

    [Fact]
    public void Stat_parsing_survives_a_command_with_spaces_and_parentheses()
    {
        var line = "1234 (qemu (x) y) S 1 1234 1234 0 -1 4194560 100 0 0 0 5 6 0 0 20 0 3 0 987654 100000 200 18446744073709551615";
        var stat = ProcFs.ParseStat(1234, line);
        Assert.NotNull(stat);
        Assert.Equal("qemu (x) y", stat.Command);
        Assert.Equal('S', stat.State);
        Assert.Equal(1, stat.ParentPid);
        Assert.Equal(1234, stat.Session);
        Assert.Equal(987654UL, stat.StartTime);
        // utime 5 and stime 6 ticks of 10 ms each.
        Assert.Equal((5UL, 6UL, 110_000_000UL), (stat.UserTicks, stat.SystemTicks, stat.CpuNanoseconds));
    }

    [Fact]
    public void Own_process_is_alive_with_a_start_time()
    {
        var self = Environment.ProcessId;
        Assert.True(ProcFs.IsAlive(self));
        Assert.NotNull(ProcFs.ReadStartTime(self));
        Assert.NotEmpty(ProcFs.ReadCmdline(self));
        Assert.Equal(Environment.ProcessPath, ProcFs.ReadExe(self));
        Assert.Null(ProcFs.ReadStat(int.MaxValue));
        Assert.Empty(ProcFs.ReadCmdline(int.MaxValue));
    }
}
