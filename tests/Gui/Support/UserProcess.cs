using System.Diagnostics;
using System.Text;

namespace Virt.Gui.Tests.Support;

/// <summary>
/// A program run as another user through setpriv (which execs it, so the pid is the program's), with only the
/// environment given; its output kept for the failure message; it and its children killed by pid on dispose.
/// </summary>
public sealed class UserProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private UserProcess(Process process) => _process = process;

    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;
    public string Output { get { lock (_output) return _output.ToString(); } }

    /// <param name="uid">The user; its gid is taken as the same number (nobody/nogroup is 65534/65534).</param>
    public static UserProcess Start(int? uid, IReadOnlyDictionary<string, string> environment, string program, params string[] args)
    {
        var info = new ProcessStartInfo(uid is null ? program : "setpriv")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        if (uid is { } id)
        {
            foreach (var arg in new[] { $"--reuid={id}", $"--regid={id}", "--clear-groups", program })
                info.ArgumentList.Add(arg);
        }
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        info.Environment.Clear();
        info.Environment["PATH"] = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
        foreach (var (name, value) in environment)
            info.Environment[name] = value;
        var process = Process.Start(info) ?? throw new InvalidOperationException($"{program} did not start");
        var started = new UserProcess(process);
        process.OutputDataReceived += (_, e) => started.Append(e.Data);
        process.ErrorDataReceived += (_, e) => started.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return started;
    }

    private void Append(string? line)
    {
        if (line is not null)
            lock (_output)
                _output.AppendLine(line);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
            ProcessTree.Kill(_process.Id);
        _process.WaitForExit(5000);
        _process.Dispose();
    }
}
