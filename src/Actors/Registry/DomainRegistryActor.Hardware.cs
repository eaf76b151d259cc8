using Akka.Actor;
using Akka.Event;
using Virt.Actors.Runtime;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.Supervisor.Layout;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Actors.Registry;

// Defines and creates store the definition as libvirt stores it: completed with the implicit devices and every
// address, for the emulator it names (DomainHardware). That needs the emulator's capabilities, which the runtime
// probes at start-up: the registry never waits for a probe (a hung emulator must not stall every domain), so a
// define that comes before the probe has finished is kept as written, and its start completes it for the guest.
public sealed partial class DomainRegistryActor
{
    /// <summary>Parses, checks and completes a definition, then continues with it; a refusal is answered to <paramref name="replyTo"/>.</summary>
    private void WithHardware(string xml, IActorRef replyTo, Action<DomainDefinition> then)
    {
        if (!TryParse(xml, out var definition, out var parseError))
        {
            replyTo.Tell(parseError);
            return;
        }
        string emulator;
        try
        {
            emulator = DomainRuntime.ResolveEmulator(definition.Devices.Emulator ?? _runtime.Settings.DefaultEmulator);
        }
        catch (VirtException e)
        {
            // A definition whose emulator is missing is kept as written; its start says why it cannot run.
            _log.Warning("Domain {Domain}: {Reason}; kept without the implicit devices and addresses", definition.Name, e.Message);
            then(definition);
            return;
        }
        if (!_runtime.Capabilities.TryGetCached(emulator, out var caps))
        {
            _log.Info("Domain {Domain}: emulator {Emulator} not probed yet; kept as written until its start", definition.Name, emulator);
            _runtime.Capabilities.GetAsync(emulator).ContinueWith(t => _ = t.Exception, TaskScheduler.Default);
            then(definition);
            return;
        }
        DomainDefinition complete;
        try
        {
            complete = DomainHardware.Complete(definition, caps, _runtime.Settings.Paths.NvramDir);
            // As libvirt: the emulator a definition runs with is named in it (virt-manager shows it in the details).
            if (complete.Devices.Emulator is null)
                complete = complete with { Devices = complete.Devices with { Emulator = emulator } };
        }
        catch (VirtException e)
        {
            replyTo.Tell(ErrorReply.From(e));
            return;
        }
        then(complete);
    }
}
