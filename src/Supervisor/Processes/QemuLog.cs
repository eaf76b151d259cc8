using System.Globalization;
using System.Text;

namespace Virt.Supervisor.Processes;

/// <summary>The domain log file: a header line per start, then whatever QEMU writes itself.</summary>
internal static class QemuLog
{
    /// <summary>Appends "TIME: [ENV=...] cmd args..." and returns the file length after it, where this run's output begins.</summary>
    public static long WriteHeader(string path, DateTimeOffset time, IReadOnlyDictionary<string, string>? environment, IEnumerable<string> argv)
    {
        var words = (environment ?? new Dictionary<string, string>())
            .OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => $"{kv.Key}={kv.Value}")
            .Concat(argv);
        var line = $"{time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)}: {ShellQuote.Join(words)}\n";
        using var stream = Native.NativeFiles.OpenLogForAppend(path);
        stream.Write(Encoding.UTF8.GetBytes(line));
        stream.Flush();
        return stream.Seek(0, SeekOrigin.End);
    }

    /// <summary>The last lines written since offset (this run's output), at most maxLines, blank lines dropped.</summary>
    public static IReadOnlyList<string> ReadTail(string path, long offset, int maxLines = 10, int maxBytes = 64 * 1024)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var start = Math.Max(offset, stream.Length - maxBytes);
            stream.Seek(start, SeekOrigin.Begin);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var lines = reader.ReadToEnd().Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Trim().Length > 0).ToList();
            return lines.Skip(Math.Max(0, lines.Count - maxLines)).ToList();
        }
        catch (IOException)
        {
            return [];
        }
        catch (UnauthorizedAccessException)
        {
            return [];
        }
    }
}
