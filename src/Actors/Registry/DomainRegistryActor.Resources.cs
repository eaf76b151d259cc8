using Akka.Actor;
using Virt.Protocol.Api;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Actors.Registry;

// Resources and devices: memory, vCPUs, a medium. The config part is a redefine here; the live part is the domain's.
public sealed partial class DomainRegistryActor
{
    private void ReceiveResources()
    {
        Receive<DomainResources.SetMemory>(m => ChangeResources(m.Domain, m.Flags, m,
            d => ResourceChanges.WithMemory(d, m.KiB, m.Flags.HasFlag(DomainModificationFlags.Maximum))));
        Receive<DomainResources.SetVcpus>(m => ChangeResources(m.Domain, m.Flags, m,
            d => ResourceChanges.WithVcpus(d, m.Count, m.Flags.HasFlag(DomainModificationFlags.Maximum))));
        Receive<DomainDevices.AttachDevice>(m =>
        {
            if (InterfaceChanges.IsInterface(m.Xml))
                AttachInterface(m);
            else
                ChangeDisks(m.Domain, m.Flags, m, m.Xml, (d, disk) => DiskChanges.Attach(d, disk));
        });
        Receive<DomainDevices.DetachDevice>(m =>
        {
            if (InterfaceChanges.IsInterface(m.Xml))
                ChangeInterfaces(m.Domain, m.Flags, m, m.Xml, (d, nic) => InterfaceChanges.Detach(d, nic).Changed);
            else
                ChangeDisks(m.Domain, m.Flags, m, m.Xml, (d, disk) => DiskChanges.Detach(d, disk.TargetDev).Changed);
        });
        Receive<DomainDevices.UpdateDevice>(m =>
        {
            if (InterfaceChanges.IsInterface(m.Xml))
                ChangeInterfaces(m.Domain, m.Flags, m, m.Xml, InterfaceChanges.Update);
            else
                ChangeDisks(m.Domain, m.Flags, m, m.Xml, (d, disk) => MediaChanges.Apply(d, disk).Changed);
        });
    }

    /// <summary>
    /// The config part is saved here, atomically, as a redefine; the live part goes to the domain's actor (QEMU's
    /// balloon, hot-plug, media), which answers. With both, the config is saved first.
    /// </summary>
    /// <param name="beforeLive">A check of the live part made before the config is saved, so a refused hot-plug changes nothing.</param>
    private void ChangeResources(DomainRef domain, DomainModificationFlags flags, object command, Func<Protocol.Domains.DomainDefinition, Protocol.Domains.DomainDefinition> change,
        Action? beforeLive = null)
    {
        if (_state.Find(domain) is not { } entry)
        {
            Sender.Tell(RegistryState.NotFound(domain).Reply);
            return;
        }
        bool live;
        try
        {
            (live, var config) = ResourceChanges.Targets(flags, entry.Active, entry.Persistent);
            if (live)
                beforeLive?.Invoke();
            if (config)
            {
                var reply = Define(change(entry.Config));
                if (reply is ErrorReply || !live)
                {
                    Sender.Tell(reply is ErrorReply ? reply : _state.Find(entry.Uuid)!.ToSummary());
                    return;
                }
            }
        }
        catch (Protocol.Errors.VirtException e)
        {
            Sender.Tell(ErrorReply.From(e));
            return;
        }
        if (live)
            ForwardToDomain(domain, command);
    }

    /// <summary>A disk added or removed: the request's &lt;disk&gt; parsed, the change checked against the path policy.</summary>
    private void ChangeDisks(DomainRef domain, DomainModificationFlags flags, object command, string xml,
        Func<Protocol.Domains.DomainDefinition, Protocol.Domains.DiskDevice, Protocol.Domains.DomainDefinition> change)
    {
        Protocol.Domains.DiskDevice disk;
        try
        {
            disk = Protocol.Domains.DomainXml.ParseDisk(xml);
        }
        catch (Protocol.Errors.VirtException e)
        {
            Sender.Tell(ErrorReply.From(e));
            return;
        }
        ChangeResources(domain, flags & ~DomainModificationFlags.Maximum, command, d =>
        {
            var changed = change(d, disk);
            return DevicePathPolicy.Check(changed, _runtime.Settings.Paths) is { } refused
                ? throw new Protocol.Errors.VirtException(refused.Code, refused.Message)
                : changed;
        });
    }
}
