using System.CommandLine;
using System.Security;
using Virt.Protocol.Api;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Cli.Commands;

/// <summary>virsh's update-device and change-media (which, as virsh's, finds the disk in the XML and sends its update).</summary>
internal static class DeviceCommands
{
    public static IEnumerable<Command> Create(CliContext context) => [UpdateDevice(context), ChangeMedia(context)];

    private sealed record Impact(Option<bool> Live, Option<bool> Config, Option<bool> Current, Option<bool> Persistent, Option<bool> Force)
    {
        public static Impact Make() => new(
            new Option<bool>("--live") { Description = "Change the running domain" },
            new Option<bool>("--config") { Description = "Change the config of the next start" },
            new Option<bool>("--current") { Description = "The running domain if it runs, else its config" },
            new Option<bool>("--persistent") { Description = "The config, and the running domain if it runs" },
            new Option<bool>("--force") { Description = "Open the tray even if the guest locked it" });

        public Symbol[] Options => [Live, Config, Current, Persistent, Force];

        /// <summary>--persistent is config plus live when the domain runs, as virsh makes it.</summary>
        public DomainModificationFlags Flags(ParseResult parse, bool active)
        {
            if (parse.GetValue(Current) && (parse.GetValue(Live) || parse.GetValue(Config) || parse.GetValue(Persistent)))
                throw new UsageException("Options --current and --live, --config or --persistent are mutually exclusive");
            var flags = (parse.GetValue(Live) ? DomainModificationFlags.Live : 0) | (parse.GetValue(Config) ? DomainModificationFlags.Config : 0);
            if (parse.GetValue(Persistent))
                flags |= DomainModificationFlags.Config | (active ? DomainModificationFlags.Live : 0);
            return flags | (parse.GetValue(Force) ? DomainModificationFlags.Maximum : 0);
        }
    }

    private static Command UpdateDevice(CliContext context)
    {
        var file = new Argument<string>("file") { Description = "XML of the device as it should be" };
        var impact = Impact.Make();
        return DomainVerb.Create(context, "update-device", "Update a device of a domain from an XML file (a cdrom's or floppy's medium)",
            [file, .. impact.Options], async (run, connection, dom, ct) =>
            {
                var xml = await File.ReadAllTextAsync(run.Parse.GetValue(file)!, ct);
                var active = (await connection.CallAsync<DomainSummary>(new LookupDomain(dom), ct)).Active;
                await connection.CallAsync<DomainSummary>(new DomainDevices.UpdateDevice(dom, xml, impact.Flags(run.Parse, active)), ct);
                await run.WriteAsync(() => "Device updated successfully\n", () => "{}\n");
            });
    }

    private static Command ChangeMedia(CliContext context)
    {
        var disk = new Argument<string>("path") { Description = "The disk's target (hdc) or its current source" };
        var source = new Argument<string?>("source") { Description = "The new medium", Arity = ArgumentArity.ZeroOrOne };
        var eject = new Option<bool>("--eject") { Description = "Eject the medium" };
        var insert = new Option<bool>("--insert") { Description = "Insert a medium into an empty drive" };
        var update = new Option<bool>("--update") { Description = "Eject the medium and insert another (the default)" };
        var impact = Impact.Make();
        return DomainVerb.Create(context, "change-media", "Change, insert or eject the medium of a cdrom or floppy",
            [disk, source, eject, insert, update, .. impact.Options], async (run, connection, dom, ct) =>
            {
                var parse = run.Parse;
                if (new[] { parse.GetValue(eject), parse.GetValue(insert), parse.GetValue(update) }.Count(b => b) > 1)
                    throw new UsageException("Options --eject, --insert and --update are mutually exclusive");
                var summary = await connection.CallAsync<DomainSummary>(new LookupDomain(dom), ct);
                var flags = impact.Flags(parse, summary.Active);
                var inactive = flags.HasFlag(DomainModificationFlags.Config) || !summary.Active;
                var xml = (await connection.CallAsync<DomainXmlDescription>(new GetDomainXml(dom, inactive), ct)).Xml;
                var target = parse.GetValue(disk)!;
                // As virsh: only cdroms and floppies are looked at, so a hard disk is "not found" too.
                var found = DomainXml.Parse(xml).Devices.Disks
                    .Where(d => d.Device is DiskDeviceKind.Cdrom or DiskDeviceKind.Floppy)
                    .FirstOrDefault(d => d.TargetDev == target || d.SourcePath == target)
                    ?? throw new VirtException(ErrorCode.InvalidArg, $"No disk found whose source path or target is {target}");
                var newSource = parse.GetValue(source);
                string message;
                if (parse.GetValue(eject))
                {
                    if (found.SourcePath is null)
                        throw new VirtException(ErrorCode.OperationInvalid, $"The disk device '{found.TargetDev}' doesn't have media");
                    (newSource, message) = (null, "Successfully ejected media.");
                }
                else
                {
                    if (newSource is null)
                        throw new UsageException("New disk media source was not specified");
                    if (parse.GetValue(insert) && found.SourcePath is not null)
                        throw new VirtException(ErrorCode.OperationInvalid, $"The disk device '{found.TargetDev}' already has media");
                    newSource = Path.GetFullPath(newSource);
                    message = parse.GetValue(insert) ? "Successfully inserted media." : "Successfully updated media.";
                }
                await connection.CallAsync<DomainSummary>(new DomainDevices.UpdateDevice(dom, DiskXml(found, newSource), flags), ct);
                await run.WriteAsync(() => message, () => "{}\n");
            });
    }

    /// <summary>The disk as its update names it: kind, bus, target and the new source (none: ejected).</summary>
    private static string DiskXml(DiskDevice disk, string? source)
    {
        var device = disk.Device == DiskDeviceKind.Cdrom ? "cdrom" : "floppy";
        var bus = disk.TargetBus.ToString().ToLowerInvariant();
        var sourceXml = source is null ? "" : $"<source file='{SecurityElement.Escape(source)}'/>";
        return $"<disk type='file' device='{device}'>{sourceXml}<target dev='{SecurityElement.Escape(disk.TargetDev)}' bus='{bus}'/></disk>";
    }
}
