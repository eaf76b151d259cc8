namespace Virt.Supervisor.Processes;

/// <summary>Where a program is: as given when it holds a '/', else the first match in PATH, as a shell would find it.</summary>
public static class ExecutablePath
{
    public static string? Find(string program)
    {
        if (program.Contains('/'))
            return File.Exists(program) ? Path.GetFullPath(program) : null;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, program);
            if (File.Exists(candidate))
                return candidate;
        }
        return null;
    }
}
