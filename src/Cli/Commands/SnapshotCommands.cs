using System.CommandLine;
using System.Globalization;
using System.Security;
using System.Text;
using Virt.Cli.Output;
using Virt.Protocol.Api;
using static Virt.Protocol.Api.DomainReplies;
using static Virt.Protocol.Api.DomainSnapshots;

namespace Virt.Cli.Commands;

/// <summary>virsh's snapshot verbs: snapshot-create-as, -list, -current, -dumpxml, -revert, -delete, with its output.</summary>
internal static class SnapshotCommands
{
    public static IEnumerable<Command> Create(CliContext context) =>
        [CreateAs(context), List(context), Current(context), DumpXml(context), Revert(context), Delete(context)];

    private static Command CreateAs(CliContext context)
    {
        var name = new Argument<string?>("name") { Description = "Snapshot name (default: the creation time in seconds)", Arity = ArgumentArity.ZeroOrOne };
        var description = new Option<string?>("--description") { Description = "What the snapshot is for" };
        var diskOnly = new Option<bool>("--disk-only") { Description = "External disk-only snapshot (not supported: refused)" };
        var atomic = new Option<bool>("--atomic") { Description = "All or nothing (internal snapshots always are)" };
        var printXml = new Option<bool>("--print-xml") { Description = "Print the snapshot XML instead of taking it" };
        return DomainVerb.Create(context, "snapshot-create-as", "Take an internal snapshot of a domain (disks, and the guest's memory when it runs)",
            [name, description, diskOnly, atomic, printXml], async (run, connection, dom, ct) =>
            {
                var xml = new StringBuilder("<domainsnapshot>\n");
                if (run.Parse.GetValue(name) is { } n)
                    xml.Append("  <name>").Append(SecurityElement.Escape(n)).Append("</name>\n");
                if (run.Parse.GetValue(description) is { } d)
                    xml.Append("  <description>").Append(SecurityElement.Escape(d)).Append("</description>\n");
                if (run.Parse.GetValue(diskOnly))
                    xml.Append("  <memory snapshot='no'/>\n");
                xml.Append("</domainsnapshot>\n");
                if (run.Parse.GetValue(printXml))
                {
                    await run.WriteAsync(xml.ToString());
                    return;
                }
                var flags = (run.Parse.GetValue(diskOnly) ? SnapshotCreateFlags.DiskOnly : 0) | (run.Parse.GetValue(atomic) ? SnapshotCreateFlags.Atomic : 0);
                var made = await connection.CallAsync<SnapshotDescription>(new CreateSnapshot(dom, xml.ToString(), flags), ct);
                await run.WriteAsync(() => $"Domain snapshot {made.Name} created", () => $"{{\"name\":\"{made.Name}\"}}\n");
            });
    }

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
