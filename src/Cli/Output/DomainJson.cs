using System.Text.Json;
using Virt.Protocol.Events;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Cli.Output;

/// <summary>The JSON shapes of domains for --json: the same facts virsh prints, as typed values.</summary>
internal static class DomainJson
{
    public static void WriteSummaryFields(Utf8JsonWriter w, DomainSummary d)
    {
        if (d.Id is { } id)
            w.WriteNumber("id", id);
        else
            w.WriteNull("id");
        w.WriteString("name", d.Name.Value);
        w.WriteString("uuid", d.Uuid.ToString());
        w.WriteString("state", DomainStates.Name(d.State, d.Reason));
        w.WriteString("reason", DomainStates.ReasonName(d.State, d.Reason));
        w.WriteBoolean("persistent", d.Persistent);
        w.WriteBoolean("autostart", d.Autostart);
        if (d.Host is { } host)
            w.WriteString("host", host); // cluster lists and placed domains only
    }

    public static void WriteSummary(Utf8JsonWriter w, DomainSummary d)
    {
        w.WriteStartObject();
        WriteSummaryFields(w, d);
        w.WriteEndObject();
    }

    public static string Summary(DomainSummary d) => JsonOutput.Document(w => WriteSummary(w, d));

    /// <summary>A JSON array in virsh list order.</summary>
    public static string List(IEnumerable<DomainSummary> domains) => JsonOutput.Document(w =>
    {
        w.WriteStartArray();
        foreach (var d in DomainText.InListOrder(domains))
            WriteSummary(w, d);
        w.WriteEndArray();
    });

    public static string Info(DomainInfo info) => JsonOutput.Document(w =>
    {
        w.WriteStartObject();
        WriteSummaryFields(w, info.Domain);
        w.WriteString("osType", DomainText.OsType);
        w.WriteNumber("cpus", info.Vcpus);
        w.WriteNumber("cpuTimeNs", info.CpuTimeNs);
        w.WriteNumber("maxMemoryKiB", info.MaxMemoryKiB);
        w.WriteNumber("usedMemoryKiB", info.MemoryKiB);
        w.WriteBoolean("managedSave", false);
        w.WriteEndObject();
    });

    public static string State(DomainSummary d) => JsonOutput.Document(w =>
    {
        w.WriteStartObject();
        w.WriteString("state", DomainStates.Name(d.State));
        w.WriteString("reason", DomainStates.ReasonName(d.State, d.Reason));
        w.WriteEndObject();
    });

    /// <summary>{"name": value} for domid, domname, domuuid; a null id for an inactive domain.</summary>
    public static string Single(string property, string? value) => JsonOutput.Document(w =>
    {
        w.WriteStartObject();
        if (value is null)
            w.WriteNull(property);
        else
            w.WriteString(property, value);
        w.WriteEndObject();
    });

    public static string Id(DomainSummary d) => JsonOutput.Document(w =>
    {
        w.WriteStartObject();
        if (d.Id is { } id)
            w.WriteNumber("id", id);
        else
            w.WriteNull("id");
        w.WriteEndObject();
    });
}
