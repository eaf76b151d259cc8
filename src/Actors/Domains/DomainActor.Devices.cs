using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Event;
using Virt.Actors.Registry;
using Virt.Protocol.Api;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.Supervisor.CommandLine;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Actors.Domains;

// A running domain's devices: a cdrom's or floppy's medium, changed or ejected through QMP; disks and NICs plugged and unplugged.
public sealed partial class DomainActor
{
    private void ChangeMedium(RunningVm vm, DomainDevices.UpdateDevice m)
    {
        if (DiskChange(vm, m.Xml, MediaChanges.Apply, hotplug: false) is not var (changed, disk))
            return;
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

    /// <summary>The 5 s libvirt waits for a guest to let an unplugged device go.</summary>
    private static readonly TimeSpan UnplugWait = TimeSpan.FromSeconds(5);

    private sealed record UnplugWaitExpired(long Job);

    /// <summary>
    /// Parses the request's disk and applies <paramref name="change"/>, checked against the path policy (and, to
    /// <paramref name="hotplug"/> a disk, its bus); a refusal is answered here, and null returned.
    /// </summary>
    private (DomainDefinition Changed, DiskDevice Disk)? DiskChange(RunningVm vm, string xml, Func<DomainDefinition, DiskDevice, (DomainDefinition, DiskDevice)> change,
        bool hotplug = true)
    {
        try
        {
            var (changed, disk) = change(vm.Live, DomainXml.ParseDisk(xml));
            if (DevicePathPolicy.Check(changed, Settings.Paths) is { } refused)
                throw new VirtException(refused.Code, refused.Message);
            if (hotplug && (disk.TargetBus != DiskBus.Virtio || DiskDeviceIds.Of(disk) is null))
                throw new VirtException(ErrorCode.OperationUnsupported,
                    $"disk '{disk.TargetDev}' on bus '{disk.TargetBus.ToString().ToLowerInvariant()}' cannot be hot-plugged or unplugged; virtio disks can");
            return (changed, disk);
        }
        catch (VirtException e)
        {
            _from.Tell(ErrorReply.From(e));
            return null;
        }
    }

    private void AttachDisk(RunningVm vm, DomainDevices.AttachDevice m)
    {
        if (DiskChange(vm, m.Xml, (d, disk) => (DiskChanges.Attach(d, disk), disk)) is not var (changed, disk))
            return;
        if (disk.SourcePath is null)
        {
            _from.Tell(new ErrorReply(ErrorCode.ConfigUnsupported, $"disk '{disk.TargetDev}' has no source to plug in"));
            return;
        }
        Plug(vm, changed, DiskDeviceIds.Of(disk)!, (qmp, id) =>
            Supervisor.Live.DiskHotplug.AttachAsync(qmp, disk, id, $"libvirt-hp{NextToken()}", Settings.QmpTimeout));
    }

    /// <summary>The device plugged by <paramref name="attach"/> as a job; once QEMU has it, the live XML is <paramref name="changed"/>.</summary>
    private void Plug(RunningVm vm, DomainDefinition changed, string id, Func<Supervisor.Qmp.QmpClient, string, Task> attach)
    {
        if (BeginMonitorJob(vm, JobKind.AttachDevice, completed: _ =>
            {
                vm.Live = changed;
                Context.Parent.Tell(new DeviceChanged(Uuid, id, Added: true));
                return WriteStatus(vm) is { } failure ? ErrorReply.From(failure) : Summary();
            }) is not var (job, process))
            return;
        var token = job.Token;
        attach(process.Qmp, id).PipeTo(Self, success: () => new JobDone(token, default, null), failure: e => new JobDone(token, default, e));
    }

    private void DetachDisk(RunningVm vm, DomainDevices.DetachDevice m)
    {
        if (DiskChange(vm, m.Xml, (d, disk) => DiskChanges.Detach(d, disk.TargetDev)) is not var (_, disk))
            return;
        Unplug(vm, DiskDeviceIds.Of(disk)!, disk.TargetDev);
    }

    /// <summary>device_del of <paramref name="id"/> as a job; <paramref name="what"/> names the device in the log when it goes.</summary>
    private void Unplug(RunningVm vm, string id, string what)
    {
        if (BeginMonitorJob(vm, JobKind.DetachDevice, completed: _ =>
            {
                // Asked; the guest lets go in its own time. The job ends at DEVICE_DELETED or after libvirt's wait.
                vm.PendingUnplugs[id] = what;
                Timers.StartSingleTimer($"unplug-{InFlight!.Token}", new UnplugWaitExpired(InFlight.Token), UnplugWait);
                return null;
            }) is not var (job, process))
            return;
        var token = job.Token;
        process.Qmp.ExecuteAsync("device_del", new JsonObject { ["id"] = id }, Settings.QmpTimeout)
            .PipeTo(Self, success: r => new JobDone(token, r, null), failure: e => new JobDone(token, default, e));
    }

    /// <summary>
    /// The guest let the device go: it leaves the live XML, what backed it in QEMU is removed (a disk's nodes, a
    /// NIC's netdev), and a detach waiting for it ends.
    /// </summary>
    private void DeviceDeleted(RunningVm vm, string id)
    {
        vm.PendingUnplugs.Remove(id, out var what);
        if (InterfaceChanges.ByAlias(vm.Live, id) is { } nic)
        {
            vm.Live = InterfaceChanges.Detach(InterfaceChanges.Pinned(vm.Live), nic).Changed;
            Log.Info("Domain {Domain}: interface {Mac} removed", Name, what);
            if (vm.Process is { } process)
                _ = Supervisor.Live.NicHotplug.DeleteBackendAsync(process.Qmp, id, Settings.QmpTimeout);
        }
        else
        {
            var (changed, disk) = DiskChanges.Detach(vm.Live, what!);
            vm.Live = changed;
            Log.Info("Domain {Domain}: disk {Target} removed", Name, what);
            if (disk.SourcePath is { } path && vm.Process is { } process)
                _ = Supervisor.Live.DiskHotplug.DeleteNodesAsync(process.Qmp, path, Settings.QmpTimeout);
        }
        WriteStatus(vm);
        Context.Parent.Tell(new DeviceChanged(Uuid, id, Added: false));
        if (InFlight is { Kind: JobKind.DetachDevice } job)
        {
            Timers.Cancel($"unplug-{job.Token}");
            EndJob(Summary());
        }
    }
}
