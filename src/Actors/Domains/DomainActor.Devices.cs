using System.Text.Json.Nodes;
using Akka.Actor;
using Virt.Actors.Registry;
using Virt.Protocol.Api;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.Supervisor.CommandLine;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Actors.Domains;

// A running domain's devices: a cdrom's or floppy's medium, changed or ejected through QMP.
public sealed partial class DomainActor
{
    private void ChangeMedium(RunningVm vm, DomainDevices.UpdateDevice m)
    {
        DomainDefinition changed;
        DiskDevice disk;
        try
        {
            (changed, disk) = MediaChanges.Apply(vm.Live, DomainXml.ParseDisk(m.Xml));
        }
        catch (VirtException e)
        {
            _from.Tell(ErrorReply.From(e));
            return;
        }
        if (DevicePathPolicy.Check(changed, Settings.Paths) is { } refused)
        {
            _from.Tell(refused);
            return;
        }
        if (DiskDeviceIds.Of(disk) is not { } id)
        {
            _from.Tell(new ErrorReply(ErrorCode.OperationUnsupported,
                $"changing the medium of a disk on bus '{disk.TargetBus.ToString().ToLowerInvariant()}' is not supported; ide, sata and fdc are"));
            return;
        }
        // --force: open the tray even when the guest locked it.
        var force = m.Flags.HasFlag(DomainModificationFlags.Maximum);
        var arguments = disk.SourcePath is { } path
            ? new JsonObject
            {
                ["id"] = id,
                ["filename"] = path,
                ["format"] = disk.DriverType is null or "iso" ? "raw" : disk.DriverType,
                ["read-only-mode"] = disk.Device == DiskDeviceKind.Cdrom || disk.ReadOnly ? "read-only" : "read-write",
                ["force"] = force,
            }
            : new JsonObject { ["id"] = id, ["force"] = force };
        RunQmp(vm, JobKind.ChangeMedia, disk.SourcePath is null ? "eject" : "blockdev-change-medium", arguments, completed: _ =>
        {
            vm.Live = changed;
            return WriteStatus(vm) is { } failure ? ErrorReply.From(failure) : Summary();
        });
    }
}
