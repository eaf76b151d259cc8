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
    public static IEnumerable<Command> Create(CliContext context) =>
        [UpdateDevice(context), ChangeMedia(context), AttachDevice(context), DetachDevice(context), AttachDisk(context), DetachDisk(context)];

    private static Command AttachDevice(CliContext context)
    {
        var file = new Argument<string>("file") { Description = "XML of the device (a <disk> or an <interface>)" };
        var impact = DeviceImpact.Make();
        return DomainVerb.Create(context, "attach-device", "Attach a device (a disk or a network interface) from an XML file", [file, .. impact.Options], async (run, connection, dom, ct) =>
        {
            var xml = await File.ReadAllTextAsync(run.Parse.GetValue(file)!, ct);
            var active = (await connection.CallAsync<DomainSummary>(new LookupDomain(dom), ct)).Active;
            await connection.CallAsync<DomainSummary>(new DomainDevices.AttachDevice(dom, xml, impact.LiveByDefault(run.Parse, active)), ct);
            await run.WriteAsync(() => "Device attached successfully\n", () => "{}\n");
        });
    }

    private static Command DetachDevice(CliContext context)
    {
        var file = new Argument<string>("file") { Description = "XML of the device (a <disk>, found by its target, or an <interface>, by its MAC)" };
        var impact = DeviceImpact.Make();
        return DomainVerb.Create(context, "detach-device", "Detach a device (a disk or a network interface) named in an XML file", [file, .. impact.Options], async (run, connection, dom, ct) =>
        {
            var xml = await File.ReadAllTextAsync(run.Parse.GetValue(file)!, ct);
            var active = (await connection.CallAsync<DomainSummary>(new LookupDomain(dom), ct)).Active;
            await connection.CallAsync<DomainSummary>(new DomainDevices.DetachDevice(dom, xml, impact.LiveByDefault(run.Parse, active)), ct);
            await run.WriteAsync(() => "Device detached successfully\n", () => "{}\n");
        });
    }

    private static Command AttachDisk(CliContext context)
    {
        var source = new Argument<string>("source") { Description = "The image file" };
        var target = new Argument<string>("target") { Description = "Its target in the guest (vdb)" };
        var bus = new Option<string?>("--targetbus") { Description = "virtio, sata, scsi, usb, ide (from the target's prefix when omitted)" };
        var subdriver = new Option<string?>("--subdriver") { Description = "The image format: raw or qcow2" };
        var type = new Option<string?>("--type") { Description = "disk or cdrom" };
        var mode = new Option<string?>("--mode") { Description = "readonly" };
        var impact = DeviceImpact.Make();
        return DomainVerb.Create(context, "attach-disk", "Attach a disk image to a domain", [source, target, bus, subdriver, type, mode, .. impact.Options],
            async (run, connection, dom, ct) =>
            {
                var p = run.Parse;
                var dev = p.GetValue(target)!;
                var busName = p.GetValue(bus) ?? (dev.StartsWith("vd", StringComparison.Ordinal) ? "virtio" : dev.StartsWith("sd", StringComparison.Ordinal) ? "scsi" : "ide");
                var xml = $"<disk type='file' device='{SecurityElement.Escape(p.GetValue(type) ?? "disk")}'>"
                    + $"<driver name='qemu' type='{SecurityElement.Escape(p.GetValue(subdriver) ?? "raw")}'/>"
                    + $"<source file='{SecurityElement.Escape(Path.GetFullPath(p.GetValue(source)!))}'/>"
                    + $"<target dev='{SecurityElement.Escape(dev)}' bus='{SecurityElement.Escape(busName)}'/>"
                    + (p.GetValue(mode) == "readonly" ? "<readonly/>" : "") + "</disk>";
                var active = (await connection.CallAsync<DomainSummary>(new LookupDomain(dom), ct)).Active;
                await connection.CallAsync<DomainSummary>(new DomainDevices.AttachDevice(dom, xml, impact.LiveByDefault(p, active)), ct);
                await run.WriteAsync(() => "Disk attached successfully\n", () => "{}\n");
            });
    }

    private static Command DetachDisk(CliContext context)
    {
        var target = new Argument<string>("target") { Description = "The disk's target (vdb) or source" };
        var impact = DeviceImpact.Make();
        return DomainVerb.Create(context, "detach-disk", "Detach a disk from a domain", [target, .. impact.Options], async (run, connection, dom, ct) =>
        {
            var summary = await connection.CallAsync<DomainSummary>(new LookupDomain(dom), ct);
            var flags = impact.LiveByDefault(run.Parse, summary.Active);
            var xml = (await connection.CallAsync<DomainXmlDescription>(new GetDomainXml(dom, flags.HasFlag(DomainModificationFlags.Config) || !summary.Active), ct)).Xml;
            var name = run.Parse.GetValue(target)!;
            var disk = DomainXml.Parse(xml).Devices.Disks.FirstOrDefault(d => d.TargetDev == name || d.SourcePath == name)
                ?? throw new VirtException(ErrorCode.InvalidArg, $"No disk found whose source path or target is {name}");
            await connection.CallAsync<DomainSummary>(new DomainDevices.DetachDevice(dom, DiskXml(disk, disk.SourcePath), flags), ct);
            await run.WriteAsync(() => "Disk detached successfully\n", () => "{}\n");
        });
    }

    private static Command UpdateDevice(CliContext context)
    {
        var file = new Argument<string>("file") { Description = "XML of the device as it should be" };
        var impact = DeviceImpact.Make();
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
        var impact = DeviceImpact.Make();
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
        var device = disk.Device switch { DiskDeviceKind.Cdrom => "cdrom", DiskDeviceKind.Floppy => "floppy", _ => "disk" };
        var bus = disk.TargetBus.ToString().ToLowerInvariant();
        var sourceXml = source is null ? "" : $"<source file='{SecurityElement.Escape(source)}'/>";
        return $"<disk type='file' device='{device}'>{sourceXml}<target dev='{SecurityElement.Escape(disk.TargetDev)}' bus='{bus}'/></disk>";
    }
}
