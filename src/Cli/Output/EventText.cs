using System.Globalization;
using Virt.Protocol.Events;

namespace Virt.Cli.Output;

/// <summary>virsh event's lines: "event 'lifecycle' for domain 'vm1': Started Booted", optionally after a UTC timestamp.</summary>
internal static class EventText
{
    public const string Lifecycle = "lifecycle";
    public const string Reboot = "reboot";
    public const string DeviceAdded = "device-added";
    public const string DeviceRemoved = "device-removed";

    /// <summary>The event types Virt reports, as virsh event --list names them.</summary>
    public static readonly string[] Names = [Lifecycle, Reboot, DeviceRemoved, DeviceAdded];

    /// <summary>virsh's name for an event's type.</summary>
    public static string NameOf(object e) => e switch
    {
        DomainRebootEvent => Reboot,
        DomainDeviceEvent { Added: true } => DeviceAdded,
        DomainDeviceEvent => DeviceRemoved,
        _ => Lifecycle,
    };

    /// <summary>virsh's line for any event: "event 'reboot' for domain 'vm'", "event 'device-added' for domain 'vm': virtio-disk1".</summary>
    public static string Line(object e, DateTimeOffset? timestamp) => e switch
    {
        DomainLifecycleEvent lifecycle => Line(lifecycle, timestamp),
        DomainRebootEvent r => Stamp(timestamp) + $"event '{Reboot}' for domain '{r.Name.Value}'\n",
        DomainDeviceEvent d => Stamp(timestamp) + $"event '{NameOf(d)}' for domain '{d.Name.Value}': {d.Alias}\n",
        _ => "",
    };

    public static string JsonLine(object e, DateTimeOffset? timestamp) => e switch
    {
        DomainLifecycleEvent lifecycle => JsonLine(lifecycle, timestamp),
        DomainRebootEvent r => OtherJson(Reboot, r.Name, r.Uuid, alias: null, timestamp),
        DomainDeviceEvent d => OtherJson(NameOf(d), d.Name, d.Uuid, d.Alias, timestamp),
        _ => "",
    };

    private static string OtherJson(string type, Protocol.Api.DomainName name, Protocol.Api.DomainUuid uuid, string? alias, DateTimeOffset? timestamp) =>
        JsonOutput.Line(w =>
        {
            w.WriteStartObject();
            if (timestamp is { } t)
                w.WriteString("timestamp", Timestamp(t));
            w.WriteString("event", type);
            w.WriteString("domain", name.Value);
            w.WriteString("uuid", uuid.ToString());
            if (alias is not null)
                w.WriteString("alias", alias);
            w.WriteEndObject();
        });

    private static string Stamp(DateTimeOffset? timestamp) => timestamp is { } t ? Timestamp(t) + ": " : "";

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
