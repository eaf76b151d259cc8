using System.CommandLine;
using System.Security;
using System.Text;
using Virt.Protocol.Api;
using static Virt.Protocol.Api.DomainSnapshots;

namespace Virt.Cli.Commands;

/// <summary>virsh's snapshot-create-as (the XML built from options, disks from --diskspec) and snapshot-create (the XML from a file).</summary>
internal static class SnapshotCreateCommands
{
    public static IEnumerable<Command> Create(CliContext context) => [CreateAs(context), CreateFromFile(context)];

    /// <summary>The flags both verbs share, as virsh names them.</summary>
    private sealed class CreateFlags
    {
        public Option<bool> DiskOnly { get; } = new("--disk-only") { Description = "Disks only, each onto a new qcow2 overlay (an external snapshot); no memory" };
        public Option<bool> ReuseExternal { get; } = new("--reuse-external") { Description = "Use the overlay files that already exist" };
        public Option<bool> NoMetadata { get; } = new("--no-metadata") { Description = "Take the snapshot but keep no metadata of it" };
        public Option<bool> Atomic { get; } = new("--atomic") { Description = "All disks or none (always so)" };

        public IEnumerable<Option> All => [DiskOnly, ReuseExternal, NoMetadata, Atomic];

        public SnapshotCreateFlags Of(ParseResult p) =>
            (p.GetValue(DiskOnly) ? SnapshotCreateFlags.DiskOnly : 0) | (p.GetValue(ReuseExternal) ? SnapshotCreateFlags.ReuseExt : 0)
            | (p.GetValue(NoMetadata) ? SnapshotCreateFlags.NoMetadata : 0) | (p.GetValue(Atomic) ? SnapshotCreateFlags.Atomic : 0);
    }

    private static Command CreateAs(CliContext context)
    {
        var name = new Argument<string?>("name") { Description = "Snapshot name (default: the creation time in seconds)", Arity = ArgumentArity.ZeroOrOne };
        var description = new Option<string?>("--description") { Description = "What the snapshot is for" };
        var diskspec = new Option<string[]>("--diskspec") { Description = "DISK[,snapshot=TYPE][,driver=TYPE][,stype=TYPE][,file=PATH], once per disk", Arity = ArgumentArity.ZeroOrMore };
        var printXml = new Option<bool>("--print-xml") { Description = "Print the snapshot XML instead of taking it" };
        var flags = new CreateFlags();
        return DomainVerb.Create(context, "snapshot-create-as", "Take a snapshot of a domain: internal (disks, and the guest's memory when it runs) or, with --disk-only, onto overlays",
            [name, description, diskspec, printXml, .. flags.All], async (run, connection, dom, ct) =>
            {
                var xml = new StringBuilder("<domainsnapshot>\n");
                if (run.Parse.GetValue(name) is { } n)
                    xml.Append("  <name>").Append(SecurityElement.Escape(n)).Append("</name>\n");
                if (run.Parse.GetValue(description) is { } d)
                    xml.Append("  <description>").Append(SecurityElement.Escape(d)).Append("</description>\n");
                if (run.Parse.GetValue(diskspec) is { Length: > 0 } specs)
                {
                    xml.Append("  <disks>\n");
                    foreach (var spec in specs)
                        xml.Append(SnapshotDiskSpec.ToXml(spec));
                    xml.Append("  </disks>\n");
                }
                xml.Append("</domainsnapshot>\n");
                if (run.Parse.GetValue(printXml))
                {
                    await run.WriteAsync(xml.ToString());
                    return;
                }
                await TakeAsync(run, connection, dom, xml.ToString(), flags.Of(run.Parse), ct);
            });
    }

    private static Command CreateFromFile(CliContext context)
    {
        var file = new Argument<string?>("xmlfile") { Description = "A <domainsnapshot> document (default: a snapshot named by its creation time)", Arity = ArgumentArity.ZeroOrOne };
        var flags = new CreateFlags();
        return DomainVerb.Create(context, "snapshot-create", "Take a snapshot of a domain described by an XML file", [file, .. flags.All], async (run, connection, dom, ct) =>
        {
            var xml = run.Parse.GetValue(file) is { } path ? await File.ReadAllTextAsync(path, ct) : "<domainsnapshot/>";
            await TakeAsync(run, connection, dom, xml, flags.Of(run.Parse), ct);
        });
    }

    private static async Task TakeAsync(Invocation run, Protocol.Client.VirtConnection connection, DomainRef dom, string xml, SnapshotCreateFlags flags, CancellationToken ct)
    {
        var made = await connection.CallAsync<SnapshotDescription>(new CreateSnapshot(dom, xml, flags), ct);
        await run.WriteAsync(() => $"Domain snapshot {made.Name} created", () => $"{{\"name\":\"{made.Name}\"}}\n");
    }
}
