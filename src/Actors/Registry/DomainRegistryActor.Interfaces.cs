using Akka.Actor;
using Virt.Protocol.Api;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Actors.Registry;

// Network interfaces added, removed and updated: the config part saved here, the live part the domain's (QMP).
public sealed partial class DomainRegistryActor
{
    /// <summary>
    /// The interface is completed once (its MAC, its model) and the same one goes to the config and to the running
    /// domain, as libvirt copies one parsed device to both; a type that cannot be hot-plugged is refused before either changes.
    /// </summary>
    private void AttachInterface(DomainDevices.AttachDevice m)
    {
        if (Parse(m.Xml) is not { } parsed)
            return;
        if (_state.Find(m.Domain) is not { } entry)
        {
            Sender.Tell(RegistryState.NotFound(m.Domain).Reply);
            return;
        }
        var nic = InterfaceChanges.Completed(parsed, entry.Config, Random.Shared);
        ChangeResources(m.Domain, m.Flags & ~DomainModificationFlags.Maximum, m with { Xml = DomainXml.FormatInterface(nic) },
            d => InterfaceChanges.Attach(d, nic),
            beforeLive: () =>
            {
                if (nic.Type is not (InterfaceType.User or InterfaceType.Ethernet))
                    throw InterfaceChanges.NotHotpluggable(nic);
            });
    }

    private void ChangeInterfaces(DomainRef domain, DomainModificationFlags flags, object command, string xml, Func<DomainDefinition, InterfaceDevice, DomainDefinition> change)
    {
        if (Parse(xml) is { } nic)
            ChangeResources(domain, flags & ~DomainModificationFlags.Maximum, command, d => change(d, nic));
    }

    private InterfaceDevice? Parse(string xml)
    {
        try
        {
            return DomainXml.ParseInterface(xml);
        }
        catch (VirtException e)
        {
            Sender.Tell(ErrorReply.From(e));
            return null;
        }
    }
}
