using Akka.Actor;
using Akka.Event;
using Virt.Actors.Domains.Consoles;
using Virt.Protocol.Errors;
using Virt.Supervisor.Consoles;
using static Virt.Protocol.Api.ConsoleCommands;
using static Virt.Protocol.Api.ConsoleReplies;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Actors.Domains;

// Console sessions: the actor decides who holds which console; the bytes never pass through it.
public sealed partial class DomainActor
{
    /// <summary>A session ended by its client or its pty; Told from the session's thread.</summary>
    private sealed record ConsoleClosed(long Incarnation, long Session, string Device) : IncarnationMessage(Incarnation);

    /// <summary>Not a job: opening a pty is quick and changes nothing QEMU sees, so it never waits behind a shutdown.</summary>
    private void OpenConsole(RunningVm vm, OpenConsole m)
    {
        if (ConsoleDevices.Find(vm.Live, m.Device, out var notFound) is not var (alias, path))
        {
            _from.Tell(notFound);
            return;
        }
        if (vm.Consoles.Admit(alias, m.Force) is { } inUse)
        {
            _from.Tell(inUse);
            return;
        }
        PtyConsole pty;
        try
        {
            pty = PtyConsole.Open(path);
        }
        catch (VirtException e)
        {
            _from.Tell(ErrorReply.From(e));
            return;
        }
        var self = Self;
        var incarnation = vm.Incarnation;
        var session = new ConsoleSession(NextToken(), alias, pty, s => self.Tell(new ConsoleClosed(incarnation, s.Id, s.Device)));
        vm.Consoles.Add(session);
        Log.Info("Domain {Domain}: console {Device} opened{Forced}", Name, alias, m.Force ? " (force)" : "");
        _from.Tell(new ConsoleOpened(Name, alias) { Stream = session });
    }
}
