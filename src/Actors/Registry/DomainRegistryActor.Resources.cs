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
        Receive<DomainDevices.UpdateDevice>(m =>
        {
            Protocol.Domains.DiskDevice update;
            try
            {
                update = Protocol.Domains.DomainXml.ParseDisk(m.Xml);
            }
            catch (Protocol.Errors.VirtException e)
            {
                Sender.Tell(ErrorReply.From(e));
                return;
            }
            ChangeResources(m.Domain, m.Flags & ~DomainModificationFlags.Maximum, m, d =>
            {
                var changed = MediaChanges.Apply(d, update).Changed;
                return DevicePathPolicy.Check(changed, _runtime.Settings.Paths) is { } refused
                    ? throw new Protocol.Errors.VirtException(refused.Code, refused.Message)
                    : changed;
            });
        });
    }

    /// <summary>
    /// The config part is saved here, atomically, as a redefine; the live part goes to the domain's actor (QEMU's
    /// balloon), which answers. With both, the config is saved first.
    /// </summary>
    private void ChangeResources(DomainRef domain, DomainModificationFlags flags, object command, Func<Protocol.Domains.DomainDefinition, Protocol.Domains.DomainDefinition> change)
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
}
