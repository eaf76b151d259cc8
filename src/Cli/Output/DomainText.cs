using System.Globalization;
using System.Text;
using Virt.Protocol.Events;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Cli.Output;

/// <summary>What `virt list --name/--uuid/--id/--table` shows; with no choice, the table.</summary>
internal sealed record ListView(bool Table, bool Uuid, bool Name, bool Id)
{
    public static ListView Default { get; } = new(true, false, false, false);

    /// <summary>virsh's rule: the table unless --uuid, --name or --id asks for bare columns (--table forces it).</summary>
    public static ListView From(bool table, bool uuid, bool name, bool id) =>
        new(table || !(uuid || name || id), uuid, name, id);
}

/// <summary>The text virsh prints for domains: list table, dominfo, domstate, domid.</summary>
internal static class DomainText
{
    /// <summary>Every QEMU domain Virt runs is a full-virtualisation guest, libvirt's "hvm".</summary>
    public const string OsType = "hvm";

    /// <summary>virsh list order: running domains by id, then inactive ones by name, case-insensitively (by host first in a cluster list).</summary>
    public static IReadOnlyList<DomainSummary> InListOrder(IEnumerable<DomainSummary> domains) =>
        [.. domains
            .OrderBy(d => d.Host, StringComparer.Ordinal)
            .ThenBy(d => d.Id is null)
            .ThenBy(d => d.Id ?? 0)
            .ThenBy(d => d.Name.Value, StringComparer.OrdinalIgnoreCase)];

    public static string IdText(DomainSummary d) => d.Id is { } id ? id.ToString(CultureInfo.InvariantCulture) : "-";

    public static string List(IEnumerable<DomainSummary> domains, ListView view, bool header = true)
    {
        var ordered = InListOrder(domains);
        if (view.Table)
        {
            // A cluster-wide list (virt list --hosts) says where each domain lives.
            var hosts = ordered.Any(d => d.Host is not null);
            string[] columns = ["Id", "Name", "State", .. view.Uuid ? ["UUID"] : Array.Empty<string>(), .. hosts ? ["Host"] : Array.Empty<string>()];
            var table = new VshTable(columns);
            foreach (var d in ordered)
            {
                string[] cells = [IdText(d), d.Name.Value, DomainStates.Name(d.State, d.Reason),
                    .. view.Uuid ? [d.Uuid.ToString()] : Array.Empty<string>(), .. hosts ? [d.Host ?? ""] : Array.Empty<string>()];
                table.Add(cells);
            }
            return table.Format(header);
        }

        // Bare columns, in virsh's order uuid, id, name, separated by one space; --id alone skips inactive domains.
        var text = new StringBuilder();
        foreach (var d in ordered)
        {
            if (view.Id && !view.Uuid && !view.Name && d.Id is null)
                continue;
            var cells = new List<string>(3);
            if (view.Uuid)
                cells.Add(d.Uuid.ToString());
            if (view.Id)
                cells.Add(IdText(d));
            if (view.Name)
                cells.Add(d.Name.Value);
            text.Append(string.Join(' ', cells)).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>virsh dominfo: "Key:" padded to 15 columns, a space, the value.</summary>
    public static string Info(DomainInfo info)
    {
        var d = info.Domain;
        var text = new StringBuilder();
        void Line(string key, string value) => text.Append(key.PadRight(15)).Append(' ').Append(value).Append('\n');

        Line("Id:", IdText(d));
        Line("Name:", d.Name.Value);
        Line("UUID:", d.Uuid.ToString());
        Line("OS Type:", OsType);
        Line("State:", DomainStates.Name(d.State));
        Line("CPU(s):", info.Vcpus.ToString(CultureInfo.InvariantCulture));
        if (info.CpuTimeNs != 0)
            Line("CPU time:", (info.CpuTimeNs / 1e9).ToString("0.0", CultureInfo.InvariantCulture) + "s");
        Line("Max memory:", info.MaxMemoryKiB.ToString(CultureInfo.InvariantCulture) + " KiB");
        Line("Used memory:", info.MemoryKiB.ToString(CultureInfo.InvariantCulture) + " KiB");
        Line("Persistent:", d.Persistent ? "yes" : "no");
        Line("Autostart:", d.Autostart ? "enable" : "disable");
        Line("Managed save:", info.HasManagedSave ? "yes" : "no");
        return text.ToString();
    }

    /// <summary>virsh domstate: "running", or with --reason "running (booted)".</summary>
    public static string State(DomainSummary d, bool reason) =>
        (reason ? DomainStates.Describe(d.State, d.Reason) : DomainStates.Name(d.State)) + "\n";
}
