using System.CommandLine;
using System.Globalization;
using System.Text;
using Virt.Cli.Output;
using Virt.Protocol.Api;
using static Virt.Protocol.Api.DomainReplies;
using static Virt.Protocol.Api.DomainSnapshots;

namespace Virt.Cli.Commands;

/// <summary>virsh's snapshot verbs: snapshot-list, -current, -info, -dumpxml, -revert, -delete, with its output (the creating ones are <see cref="SnapshotCreateCommands"/>).</summary>
internal static class SnapshotCommands
{
    public static IEnumerable<Command> Create(CliContext context) =>
        [.. SnapshotCreateCommands.Create(context), List(context), Current(context), Info(context), DumpXml(context), Revert(context), Delete(context)];

    private static Command List(CliContext context)
    {
        var tree = new Option<bool>("--tree") { Description = "Show the snapshots as their tree" };
        var parent = new Option<bool>("--parent") { Description = "Add a column with each snapshot's parent" };
        var names = new Option<bool>("--name") { Description = "Only the names" };
        return DomainVerb.Create(context, "snapshot-list", "A domain's snapshots", [tree, parent, names], async (run, connection, dom, ct) =>
        {
            var all = (await connection.CallAsync<SnapshotList>(new ListSnapshots(dom), ct)).Snapshots;
            await run.WriteAsync(() => run.Parse.GetValue(tree) ? Tree(all)
                : run.Parse.GetValue(names) ? string.Concat(all.Select(s => s.Name + "\n"))
                : Table(all, run.Parse.GetValue(parent), run.Headers), () => JsonOutput.Document(w =>
                {
                    w.WriteStartArray();
                    foreach (var s in all)
                    {
                        w.WriteStartObject();
                        w.WriteString("name", s.Name);
                        w.WriteString("parent", s.Parent);
                        w.WriteNumber("creationTime", s.CreationTime);
                        w.WriteString("state", s.State);
                        w.WriteBoolean("current", s.Current);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                }));
        });
    }

    /// <summary>virsh's table; the creation time in local time with its offset, as virsh prints it.</summary>
    internal static string Table(IReadOnlyList<SnapshotDescription> all, bool withParent, bool headers)
    {
        var table = withParent ? new VshTable("Name", "Creation Time", "State", "Parent") : new VshTable("Name", "Creation Time", "State");
        foreach (var s in all)
        {
            var time = DateTimeOffset.FromUnixTimeSeconds(s.CreationTime).ToLocalTime();
            var text = time.ToString("yyyy-MM-dd HH:mm:ss ", CultureInfo.InvariantCulture) + time.ToString("zzz", CultureInfo.InvariantCulture).Replace(":", "");
            if (withParent)
                table.Add(s.Name, text, s.State, s.Parent ?? "");
            else
                table.Add(s.Name, text, s.State);
        }
        return table.Format(headers);
    }

    /// <summary>virsh's tree: a root at the margin, each child under "  |" as "  +- NAME", a blank line after the last of a branch.</summary>
    internal static string Tree(IReadOnlyList<SnapshotDescription> all)
    {
        var text = new StringBuilder();
        var indent = "";
        void Print(SnapshotDescription node, bool root, bool last)
        {
            text.Append(indent).Append(root ? "" : "+- ").Append(node.Name).Append('\n');
            if (!root)
                indent += last ? "  " : "| ";
            var children = all.Where(s => s.Parent == node.Name).ToList();
            if (children.Count > 0)
                text.Append(indent).Append("  |\n");
            indent += "  ";
            for (var i = 0; i < children.Count; i++)
                Print(children[i], root: false, last: i == children.Count - 1);
            indent = indent[..^2];
            if (children.Count == 0 && last)
                text.Append(indent).Append('\n');
            if (!root)
                indent = indent[..^2];
        }
        foreach (var root in all.Where(s => s.Parent is null))
            Print(root, root: true, last: true);
        return text.ToString();
    }

    private static Command Current(CliContext context)
    {
        var name = new Option<bool>("--name") { Description = "Only the name" };
        return DomainVerb.Create(context, "snapshot-current", "The domain's current snapshot", [name], async (run, connection, dom, ct) =>
        {
            var s = await connection.CallAsync<SnapshotDescription>(new GetSnapshot(dom, null), ct);
            await run.WriteAsync(() => run.Parse.GetValue(name) ? s.Name : s.Xml, () => $"{{\"name\":\"{s.Name}\"}}\n");
        });
    }

    private static Command Info(CliContext context)
    {
        var snapshot = new Argument<string?>("snapshotname") { Description = "The snapshot", Arity = ArgumentArity.ZeroOrOne };
        var current = new Option<bool>("--current") { Description = "The current snapshot" };
        return DomainVerb.Create(context, "snapshot-info", "A snapshot's state, location and place in the tree", [snapshot, current], async (run, connection, dom, ct) =>
        {
            var name = run.Parse.GetValue(snapshot);
            if (name is null && !run.Parse.GetValue(current))
                throw new UsageException("--snapshotname or --current is required");
            var s = await connection.CallAsync<SnapshotDescription>(new GetSnapshot(dom, name), ct);
            var all = (await connection.CallAsync<SnapshotList>(new ListSnapshots(dom), ct)).Snapshots;
            var domain = (await connection.CallAsync<DomainSummary>(new DomainCommands.LookupDomain(dom), ct)).Name.Value;
            await run.WriteAsync(() => Info(s, domain, all), () => JsonOutput.Document(w =>
            {
                w.WriteStartObject();
                w.WriteString("name", s.Name);
                w.WriteString("domain", domain);
                w.WriteBoolean("current", s.Current);
                w.WriteString("state", s.State);
                w.WriteString("location", s.External ? "external" : "internal");
                w.WriteString("parent", s.Parent);
                w.WriteNumber("children", all.Count(c => c.Parent == s.Name));
                w.WriteNumber("descendants", Descendants(all, s.Name));
                w.WriteEndObject();
            }));
        });
    }

    /// <summary>virsh's snapshot-info: one "Label:" padded to 15 a line.</summary>
    internal static string Info(SnapshotDescription s, string domain, IReadOnlyList<SnapshotDescription> all)
    {
        var text = new StringBuilder();
        void Line(string label, string value) => text.Append(CultureInfo.InvariantCulture, $"{label + ":",-15} {value}\n");
        Line("Name", s.Name);
        Line("Domain", domain);
        Line("Current", s.Current ? "yes" : "no");
        Line("State", s.State);
        Line("Location", s.External ? "external" : "internal");
        Line("Parent", s.Parent ?? "-");
        Line("Children", all.Count(c => c.Parent == s.Name).ToString(CultureInfo.InvariantCulture));
        Line("Descendants", Descendants(all, s.Name).ToString(CultureInfo.InvariantCulture));
        Line("Metadata", "yes");
        return text.ToString();
    }

    private static int Descendants(IReadOnlyList<SnapshotDescription> all, string name) =>
        all.Where(c => c.Parent == name).Sum(c => 1 + Descendants(all, c.Name));

    private static Command DumpXml(CliContext context)
    {
        var snapshot = new Argument<string>("snapshotname") { Description = "The snapshot" };
        return DomainVerb.Create(context, "snapshot-dumpxml", "A snapshot's XML", [snapshot], async (run, connection, dom, ct) =>
        {
            var s = await connection.CallAsync<SnapshotDescription>(new GetSnapshot(dom, run.Parse.GetValue(snapshot)), ct);
            await run.WriteAsync(s.Xml);
        });
    }

    private static Command Revert(CliContext context)
    {
        var snapshot = new Argument<string>("snapshotname") { Description = "The snapshot" };
        var running = new Option<bool>("--running") { Description = "Run the guest after the revert" };
        var paused = new Option<bool>("--paused") { Description = "Leave the guest paused after the revert" };
        var force = new Option<bool>("--force") { Description = "Accepted for virsh's sake" };
        return DomainVerb.Create(context, "snapshot-revert", "Bring a domain back to a snapshot", [snapshot, running, paused, force], async (run, connection, dom, ct) =>
        {
            if (run.Parse.GetValue(running) && run.Parse.GetValue(paused))
                throw new UsageException("Options --running and --paused are mutually exclusive");
            var flags = (run.Parse.GetValue(running) ? SnapshotRevertFlags.Running : 0) | (run.Parse.GetValue(paused) ? SnapshotRevertFlags.Paused : 0);
            var name = run.Parse.GetValue(snapshot)!;
            await connection.CallAsync<DomainSummary>(new RevertSnapshot(dom, name, flags), ct);
            await run.WriteAsync(() => $"Domain snapshot {name} reverted\n", () => "{}\n");
        });
    }

    private static Command Delete(CliContext context)
    {
        var snapshot = new Argument<string>("snapshotname") { Description = "The snapshot" };
        var metadata = new Option<bool>("--metadata") { Description = "Only the metadata; the snapshot stays in the images" };
        return DomainVerb.Create(context, "snapshot-delete", "Delete a snapshot", [snapshot, metadata], async (run, connection, dom, ct) =>
        {
            var name = run.Parse.GetValue(snapshot)!;
            await connection.CallAsync<DomainSummary>(new DeleteSnapshot(dom, name, run.Parse.GetValue(metadata) ? SnapshotDeleteFlags.MetadataOnly : 0), ct);
            await run.WriteAsync(() => $"Domain snapshot {name} deleted\n", () => "{}\n");
        });
    }
}
