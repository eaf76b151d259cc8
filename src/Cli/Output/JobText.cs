using System.Globalization;
using System.Text;
using Virt.Protocol.Api;

namespace Virt.Cli.Output;

/// <summary>virsh domjobinfo's text: its labels, widths and units, for the fields a job reports.</summary>
internal static class JobText
{
    private static readonly string[] OperationNames =
        ["Unknown", "Start", "Save", "Restore", "Incoming migration", "Outgoing migration", "Snapshot", "Snapshot revert", "Dump", "Backup", "Snapshot delete"];

    public static string Format(DomainJobs.JobStats stats, bool completedAsked, bool anyStats)
    {
        var text = new StringBuilder();
        var fields = stats.Fields.GroupBy(f => f.Field, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Number, StringComparer.Ordinal);
        ulong? Get(string name) => fields.TryGetValue(name, out var v) ? v : null;
        void Line(string label, string value) => text.Append(CultureInfo.InvariantCulture, $"{label,-17} {value}\n");
        void Count(string label, ulong value, string unit = "") => Line(label, $"{value,-12}{(unit.Length > 0 ? " " + unit : "")}");
        void Bytes(string label, ulong value, string suffix = "") => Line(label, Capacity(value) + suffix);

        Line("Job type:", $"{TypeName(stats.Type),-12}");
        if (stats.Type == DomainJobType.None)
            return text.ToString();
        var operation = (int)(Get(JobFields.Operation) ?? 0);
        Line("Operation:", $"{(operation >= 0 && operation < OperationNames.Length ? OperationNames[operation] : "unknown"),-12}");
        if (!anyStats && stats.Type is not (DomainJobType.Bounded or DomainJobType.Unbounded)
            && !(completedAsked && stats.Type == DomainJobType.Completed))
            return text.ToString();

        var info = DomainJobInfo.Of(stats);
        Count("Time elapsed:", info.TimeElapsed, "ms");
        if (stats.Type == DomainJobType.Bounded)
            Count("Time remaining:", info.TimeRemaining, "ms");
        if (info.DataTotal != 0 || info.DataRemaining != 0 || info.DataProcessed != 0)
        {
            Bytes("Data processed:", info.DataProcessed);
            Bytes("Data remaining:", info.DataRemaining);
            Bytes("Data total:", info.DataTotal);
        }
        if (info.MemTotal != 0 || info.MemRemaining != 0 || info.MemProcessed != 0)
        {
            Bytes("Memory processed:", info.MemProcessed);
            Bytes("Memory remaining:", info.MemRemaining);
            Bytes("Memory total:", info.MemTotal);
            if (Get(JobFields.MemoryBps) is { } bps and not 0)
                Bytes("Memory bandwidth:", bps, "/s");
            if (Get(JobFields.MemoryDirtyRate) is { } dirty)
                Count("Dirty rate:", dirty, "pages/s");
            if (Get(JobFields.MemoryPageSize) is { } page)
                Count("Page size:", page, "bytes");
            if (Get(JobFields.MemoryIteration) is { } iteration)
                Count("Iteration:", iteration);
            if (Get(JobFields.MemoryPostcopyRequests) is { } postcopy)
                Count("Postcopy requests:", postcopy);
        }
        if (info.FileTotal != 0 || info.FileRemaining != 0 || info.FileProcessed != 0)
        {
            Bytes("File processed:", info.FileProcessed);
            Bytes("File remaining:", info.FileRemaining);
            Bytes("File total:", info.FileTotal);
        }
        if (Get(JobFields.MemoryConstant) is { } constant)
            Count("Constant pages:", constant);
        if (Get(JobFields.MemoryNormal) is { } normal)
            Count("Normal pages:", normal);
        if (Get(JobFields.MemoryNormalBytes) is { } normalBytes)
            Bytes("Normal data:", normalBytes);
        if (Get(JobFields.Downtime) is { } downtime)
            Count(stats.Type == DomainJobType.Completed ? "Total downtime:" : "Expected downtime:", downtime, "ms");
        if (Get(JobFields.SetupTime) is { } setup)
            Count("Setup time:", setup, "ms");
        return text.ToString();
    }

    /// <summary>virsh domjobinfo --rawstats: the type's number, a blank line, then every parameter as it came.</summary>
    public static string Raw(DomainJobs.JobStats stats)
    {
        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"Job type: {(int)stats.Type}\n\n");
        foreach (var field in stats.Fields)
            text.Append(CultureInfo.InvariantCulture, $"{field.Field}: {field.ValueText}\n");
        return text.ToString();
    }

    public static string TypeName(DomainJobType type) => type switch
    {
        DomainJobType.None or DomainJobType.Bounded or DomainJobType.Unbounded or DomainJobType.Completed or DomainJobType.Failed
            or DomainJobType.Cancelled => type.ToString(),
        _ => "unknown",
    };

    /// <summary>virsh's vshPrettyCapacity with "%.3lf %s": the largest binary unit below the value.</summary>
    public static string Capacity(ulong value)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
        var scaled = (double)value;
        var unit = 0;
        while (unit < units.Length - 1 && scaled >= 1024)
        {
            scaled /= 1024;
            unit++;
        }
        return scaled.ToString("F3", CultureInfo.InvariantCulture) + " " + units[unit];
    }

    /// <summary>virsh's progress line for save and managedsave --verbose, written to stderr: "\rSave: [ 42 %]".</summary>
    public static string Progress(string label, ulong remaining, ulong total)
    {
        var percent = remaining == 0 ? 100 : Math.Min(99, (int)(100.0 - remaining * 100.0 / total));
        return string.Create(CultureInfo.InvariantCulture, $"\r{label}: [{percent,3} %]");
    }
}
