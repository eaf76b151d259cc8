using Akka.Actor;
using Virt.Actors.Registry;
using Virt.Protocol.Api;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Actors.Domains;

// A running domain's network interfaces: plugged (netdev_add, device_add), unplugged (device_del, then netdev_del once
// the guest let go), and updated where nothing would change.
public sealed partial class DomainActor
{
    private void AttachInterface(RunningVm vm, DomainDevices.AttachDevice m)
    {
        if (InterfaceChange(() => InterfaceChanges.Plug(vm.Live, DomainXml.ParseInterface(m.Xml))) is not var (changed, nic))
            return;
        Plug(vm, changed, nic.Alias!, (qmp, _) => Supervisor.Live.NicHotplug.AttachAsync(qmp, vm.Live, nic, Settings.QmpTimeout));
    }

    private void DetachInterface(RunningVm vm, DomainDevices.DetachDevice m)
    {
        if (InterfaceChange(() => InterfaceChanges.Detach(InterfaceChanges.Pinned(vm.Live), DomainXml.ParseInterface(m.Xml))) is not var (_, nic))
            return;
        Unplug(vm, nic.Alias!, nic.Mac ?? nic.Alias!);
    }

    private void UpdateInterface(RunningVm vm, DomainDevices.UpdateDevice m)
    {
        if (InterfaceChange(() =>
            {
                var nic = DomainXml.ParseInterface(m.Xml);
                InterfaceChanges.CheckLiveUpdate(vm.Live, nic);
                return (vm.Live, nic);
            }) is not null)
            _from.Tell(Summary());
    }

    /// <summary>The rule's outcome, or null once its refusal was answered.</summary>
    private (DomainDefinition Changed, InterfaceDevice Nic)? InterfaceChange(Func<(DomainDefinition, InterfaceDevice)> rule)
    {
        try
        {
            return rule();
        }
        catch (VirtException e)
        {
            _from.Tell(ErrorReply.From(e));
            return null;
        }
    }
}
