using System.CommandLine;
using System.Globalization;
using System.Text;
using Virt.Cli.Output;
using Virt.Protocol.Api;
using Virt.Protocol.Client;
using static Virt.Protocol.Api.DomainQueries;

namespace Virt.Cli.Commands;

/// <summary>virsh's statistics verbs: domstats, dommemstat, domblkstat, domifstat, domblkinfo, with its output.</summary>
internal static class StatsCommands
{
    private static readonly (string Option, DomainStatsGroups Group, string Description)[] GroupOptions =
    [
        ("--state", DomainStatsGroups.State, "domain state"),
        ("--cpu-total", DomainStatsGroups.CpuTotal, "total CPU time of the domain"),
        ("--balloon", DomainStatsGroups.Balloon, "balloon and resident memory"),
        ("--vcpu", DomainStatsGroups.Vcpu, "per-vCPU figures"),
        ("--interface", DomainStatsGroups.Interface, "network interface counters"),
        ("--block", DomainStatsGroups.Block, "block device counters and sizes"),
    ];

    private static readonly (string Option, ListDomainsFlags Flag)[] ListOptions =
    [
        ("--list-active", ListDomainsFlags.Active), ("--list-inactive", ListDomainsFlags.Inactive),
        ("--list-persistent", ListDomainsFlags.Persistent), ("--list-transient", ListDomainsFlags.Transient),
        ("--list-running", ListDomainsFlags.Running), ("--list-paused", ListDomainsFlags.Paused),
        ("--list-shutoff", ListDomainsFlags.Shutoff), ("--list-other", ListDomainsFlags.Other),
    ];

    /// <summary>virsh domblkstat's order, its legacy spellings and its --human labels, for libvirt's field names.</summary>
    private static readonly (string Field, string Legacy, string Human)[] BlockStatOrder =
    [
        ("rd_operations", "rd_req", "number of read operations:"),
        ("rd_bytes", "rd_bytes", "number of bytes read:"),
        ("wr_operations", "wr_req", "number of write operations:"),
        ("wr_bytes", "wr_bytes", "number of bytes written:"),
        ("errs", "errs", "error count:"),
        ("flush_operations", "flush_operations", "number of flush operations:"),
        ("rd_total_times", "rd_total_times", "total duration of reads (ns):"),
        ("wr_total_times", "wr_total_times", "total duration of writes (ns):"),
        ("flush_total_times", "flush_total_times", "total duration of flushes (ns):"),
    ];

    public static IEnumerable<Command> Create(CliContext context) =>
        [DomStats(context), DomMemStat(context), DomBlkStat(context), DomIfStat(context), DomBlkInfo(context), CpuStats(context)];

    private static Command CpuStats(CliContext context)
    {
        var total = new Option<bool>("--total") { Description = "Only the total (per host CPU figures need cgroups: there are none)" };
        return DomainVerb.Create(context, "cpu-stats", "The CPU time of a running domain", [total], async (run, connection, dom, ct) =>
        {
            var stats = DomainStatsViews.CpuTotal(await RunningRecordAsync(connection, dom, DomainStatsGroups.CpuTotal, ct));
            // virsh's layout: a tab, the name padded to 12, the seconds with nine decimals.
            var text = new StringBuilder(run.Parse.GetValue(total) ? "" : "No per-CPU stats available");
            text.Append("Total:\n");
            foreach (var s in stats)
                text.Append(CultureInfo.InvariantCulture, $"\t{s.Field,-12} {s.Number / 1_000_000_000,9}.{s.Number % 1_000_000_000:D9} seconds\n");
            await run.WriteAsync(() => text.ToString(), () => JsonOutput.Document(w =>
            {
                w.WriteStartObject();
                foreach (var s in stats)
                    w.WriteNumber(s.Field, s.Number);
                w.WriteEndObject();
            }));
        });
    }

    private static Command DomStats(CliContext context)
    {
        var domains = new Argument<string[]>("domain") { Description = "Domains (name, id or UUID); all when none", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("domstats", "Statistics of domains, libvirt's fields (all domains when none is named)") { domains };
        var groups = GroupOptions.Select(g => (Option: new Option<bool>(g.Option) { Description = "Report " + g.Description }, g.Group)).ToList();
        var lists = ListOptions.Select(l => (Option: new Option<bool>(l.Option) { Description = "Only domains that are " + l.Option[7..] }, l.Flag)).ToList();
        var raw = new Option<bool>("--raw") { Description = "Print the figures unformatted (they always are)" };
        foreach (var (option, _) in groups)
            command.Add(option);
        foreach (var (option, _) in lists)
            command.Add(option);
        command.Add(raw);
        command.SetAction((parse, ct) => Invocation.RunAsync(context, parse, async run =>
        {
            var asked = groups.Where(g => parse.GetValue(g.Option)).Aggregate(DomainStatsGroups.None, (all, g) => all | g.Group);
            var filter = lists.Where(l => parse.GetValue(l.Option)).Aggregate(ListDomainsFlags.All, (all, l) => all | l.Flag);
            var refs = (parse.GetValue(domains) ?? []).Select(d => DomainRef.FromText(d)).ToList();
            await using var connection = await run.ConnectAsync(ct);
            var list = await connection.CallAsync<DomainStatsList>(new GetDomainStats(refs, asked, filter), ct);
            await run.WriteAsync(() => Text(list), () => Json(list));
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>virsh's form: "Domain: 'NAME'" then "  field=value", records apart by an empty line.</summary>
    internal static string Text(DomainStatsList list)
    {
        var text = new StringBuilder();
        for (var i = 0; i < list.Records.Count; i++)
        {
            if (i > 0)
                text.Append('\n');
            var record = list.Records[i];
            text.Append("Domain: '").Append(record.Name.Value).Append("'\n");
            foreach (var field in record.Fields)
                text.Append("  ").Append(field.Field).Append('=').Append(field.ValueText).Append('\n');
        }
        return text.ToString();
    }

    internal static string Json(DomainStatsList list) => JsonOutput.Document(w =>
    {
        w.WriteStartArray();
        foreach (var record in list.Records)
        {
            w.WriteStartObject();
            w.WriteString("name", record.Name.Value);
            w.WriteString("uuid", record.Uuid.ToString());
            w.WriteStartObject("stats");
            foreach (var field in record.Fields)
            {
                if (field.Kind == TypedParameterKind.String)
                    w.WriteString(field.Field, field.Text);
                else if (field.Kind == TypedParameterKind.Boolean)
                    w.WriteBoolean(field.Field, field.Number != 0);
                else
                {
                    w.WritePropertyName(field.Field);
                    w.WriteRawValue(field.ValueText);
                }
            }
            w.WriteEndObject();
            w.WriteEndObject();
        }
        w.WriteEndArray();
    });

    private static Command DomMemStat(CliContext context) => DomainVerb.Create(context, "dommemstat", "Memory statistics of a running domain", [],
        async (run, connection, dom, ct) =>
        {
            var stats = (await connection.CallAsync<MemoryStats>(new GetMemoryStats(dom), ct)).Stats;
            await run.WriteAsync(() => string.Concat(stats.Select(s => $"{s.Name} {s.Value}\n")), () => JsonOutput.Document(w =>
            {
                w.WriteStartObject();
                foreach (var s in stats)
                    w.WriteNumber(s.Name, s.Value);
                w.WriteEndObject();
            }));
        });

    private static Command DomBlkStat(CliContext context)
    {
        var device = new Argument<string?>("device") { Description = "Disk target (vda) or source path; all disks summed when omitted", Arity = ArgumentArity.ZeroOrOne };
        var human = new Option<bool>("--human") { Description = "Print the figures with their descriptions" };
        return DomainVerb.Create(context, "domblkstat", "Block device counters of a running domain", [device, human], async (run, connection, dom, ct) =>
        {
            var name = run.Parse.GetValue(device) ?? "";
            var record = await RunningRecordAsync(connection, dom, DomainStatsGroups.Block, ct);
            var stats = DomainStatsViews.BlockStats(record, name);
            await run.WriteAsync(() => BlockStatText(stats, name, run.Parse.GetValue(human)), () => JsonOutput.Document(w =>
            {
                w.WriteStartObject();
                foreach (var s in stats)
                    w.WriteNumber(s.Field, (long)s.Number);
                w.WriteEndObject();
            }));
        });
    }

    /// <summary>virsh's lines: "DEVICE FIELD VALUE"; with --human a "Device:" line, then the labels padded to 31.</summary>
    internal static string BlockStatText(IReadOnlyList<TypedParameter> stats, string device, bool human)
    {
        var text = new StringBuilder();
        if (human)
        {
            text.Append("Device: ").Append(device).Append('\n');
            device = "";
        }
        foreach (var (field, legacy, label) in BlockStatOrder)
        {
            if (stats.FirstOrDefault(s => s.Field == field) is not { } stat)
                continue;
            text.Append(device).Append(' ').Append(human ? label.PadRight(31) : legacy).Append(' ').Append(stat.ValueText).Append('\n');
        }
        return text.ToString();
    }

    private static Command DomIfStat(CliContext context)
    {
        var device = new Argument<string>("interface") { Description = "The interface's host device name (vnet0)" };
        return DomainVerb.Create(context, "domifstat", "Network interface counters of a running domain", [device], async (run, connection, dom, ct) =>
        {
            var name = run.Parse.GetValue(device)!;
            var record = await RunningRecordAsync(connection, dom, DomainStatsGroups.Interface, ct);
            var s = DomainStatsViews.InterfaceStats(record, name);
            (string, long)[] rows =
            [
                ("rx_bytes", s.RxBytes), ("rx_packets", s.RxPackets), ("rx_errs", s.RxErrs), ("rx_drop", s.RxDrop),
                ("tx_bytes", s.TxBytes), ("tx_packets", s.TxPackets), ("tx_errs", s.TxErrs), ("tx_drop", s.TxDrop),
            ];
            await run.WriteAsync(() => string.Concat(rows.Where(r => r.Item2 >= 0).Select(r => $"{name} {r.Item1} {r.Item2}\n")), () => JsonOutput.Document(w =>
            {
                w.WriteStartObject();
                foreach (var (field, value) in rows.Where(r => r.Item2 >= 0))
                    w.WriteNumber(field, value);
                w.WriteEndObject();
            }));
        });
    }

    private static Command DomBlkInfo(CliContext context)
    {
        var device = new Argument<string>("device") { Description = "Disk target (vda) or source path" };
        return DomainVerb.Create(context, "domblkinfo", "Capacity, allocation and physical size of a disk", [device], async (run, connection, dom, ct) =>
        {
            var list = await connection.CallAsync<DomainStatsList>(new GetDomainStats([dom], DomainStatsGroups.Block), ct);
            var (capacity, allocation, physical) = DomainStatsViews.BlockInfo(list.Records[0], run.Parse.GetValue(device)!);
            await run.WriteAsync(() => string.Create(CultureInfo.InvariantCulture,
                    $"{"Capacity:",-15} {capacity}\n{"Allocation:",-15} {allocation}\n{"Physical:",-15} {physical}\n"),
                () => JsonOutput.Document(w =>
                {
                    w.WriteStartObject();
                    w.WriteNumber("capacity", capacity);
                    w.WriteNumber("allocation", allocation);
                    w.WriteNumber("physical", physical);
                    w.WriteEndObject();
                }));
        });
    }

    /// <summary>One running domain's record: libvirt refuses these views of a shut-off domain.</summary>
    private static async Task<DomainStatsRecord> RunningRecordAsync(VirtConnection connection, DomainRef dom, DomainStatsGroups groups, CancellationToken ct) =>
        DomainStatsViews.Running((await connection.CallAsync<DomainStatsList>(new GetDomainStats([dom], groups), ct)).Records[0]);
}
