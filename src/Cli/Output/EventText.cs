using System.Globalization;
using Virt.Protocol.Events;

namespace Virt.Cli.Output;

/// <summary>virsh event's lines: "event 'lifecycle' for domain 'vm1': Started Booted", optionally after a UTC timestamp.</summary>
internal static class EventText
{
    public const string Lifecycle = "lifecycle";

    /// <summary>libvirt's virTimeStringNowRaw: "2026-11-23 10:00:00.123+0000", always UTC.</summary>
    public static string Timestamp(DateTimeOffset now) =>
        now.ToUniversalTime().ToString("yyyy'-'MM'-'dd HH':'mm':'ss'.'fff'+0000'", CultureInfo.InvariantCulture);

    public static string Line(DomainLifecycleEvent e, DateTimeOffset? timestamp) =>
        (timestamp is { } t ? Timestamp(t) + ": " : "") + e + "\n";

    public static string JsonLine(DomainLifecycleEvent e, DateTimeOffset? timestamp) => JsonOutput.Line(w =>
    {
        w.WriteStartObject();
        if (timestamp is { } t)
            w.WriteString("timestamp", Timestamp(t));
        w.WriteString("event", Lifecycle);
        w.WriteString("domain", e.Name.Value);
        w.WriteString("uuid", e.Uuid.ToString());
        w.WriteString("type", DomainEventNames.TypeName(e.Type));
        w.WriteString("detail", DomainEventNames.DetailName(e.Type, e.Detail));
        w.WriteEndObject();
    });
}
