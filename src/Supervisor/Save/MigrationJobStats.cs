using System.Text.Json;
using Virt.Protocol.Api;
using static Virt.Protocol.Api.TypedParameter;

namespace Virt.Supervisor.Save;

/// <summary>
/// QEMU's query-migrate answer as libvirt's job parameters for a save (what virsh domjobinfo prints), in libvirt's
/// order; downtime is QEMU's expected one while the job runs and its measured one once it completed.
/// </summary>
public static class MigrationJobStats
{
    public static IReadOnlyList<TypedParameter> From(JsonElement migrate, DomainJobOperation operation, ulong elapsedMs)
    {
        var fields = new List<TypedParameter> { Int(JobFields.Operation, (int)operation), ULLong(JobFields.TimeElapsed, elapsedMs) };
        var completed = Text(migrate, "status") == "completed";
        if (Number(migrate, completed ? "downtime" : "expected-downtime") is { } downtime)
            fields.Add(ULLong(JobFields.Downtime, downtime));
        if (Number(migrate, "setup-time") is { } setup)
            fields.Add(ULLong(JobFields.SetupTime, setup));
        var ram = migrate.ValueKind == JsonValueKind.Object && migrate.TryGetProperty("ram", out var r) && r.ValueKind == JsonValueKind.Object ? r : default;
        ulong Ram(string name) => ram.ValueKind == JsonValueKind.Object ? Number(ram, name) ?? 0 : 0;
        var (total, transferred, remaining) = (Ram("total"), Ram("transferred"), Ram("remaining"));
        fields.Add(ULLong(JobFields.DataTotal, total));
        fields.Add(ULLong(JobFields.DataProcessed, transferred));
        fields.Add(ULLong(JobFields.DataRemaining, remaining));
        fields.Add(ULLong(JobFields.MemoryTotal, total));
        fields.Add(ULLong(JobFields.MemoryProcessed, transferred));
        fields.Add(ULLong(JobFields.MemoryRemaining, remaining));
        if (ram.ValueKind == JsonValueKind.Object && ram.TryGetProperty("mbps", out var mbps) && mbps.TryGetDouble(out var megabits) && megabits > 0)
            fields.Add(ULLong(JobFields.MemoryBps, (ulong)(megabits * (1000 * 1000 / 8))));
        if (ram.ValueKind == JsonValueKind.Object && Number(ram, "duplicate") is { } duplicate)
        {
            fields.Add(ULLong(JobFields.MemoryConstant, duplicate));
            fields.Add(ULLong(JobFields.MemoryNormal, Ram("normal")));
            fields.Add(ULLong(JobFields.MemoryNormalBytes, Ram("normal-bytes")));
        }
        fields.Add(ULLong(JobFields.MemoryDirtyRate, Ram("dirty-pages-rate")));
        fields.Add(ULLong(JobFields.MemoryIteration, Ram("dirty-sync-count")));
        fields.Add(ULLong(JobFields.MemoryPostcopyRequests, Ram("postcopy-requests")));
        if (Ram("page-size") is > 0 and var pageSize)
            fields.Add(ULLong(JobFields.MemoryPageSize, pageSize));
        return fields;
    }

    private static string? Text(JsonElement o, string name) =>
        o.ValueKind == JsonValueKind.Object && o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static ulong? Number(JsonElement o, string name) =>
        o.ValueKind == JsonValueKind.Object && o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetUInt64(out var n) ? n : null;
}
