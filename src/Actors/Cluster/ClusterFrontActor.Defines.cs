using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using Akka.Event;
using Virt.Actors.Connections;
using Virt.Actors.Registry;
using Virt.Protocol.Api;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.Protocol.Events;
using Virt.Protocol.Rpc;
using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainReplies;
using static Virt.Protocol.Remote.ClusterMessages;

namespace Virt.Actors.Cluster;

// Defines and creates: the name claimed from the directory first; --host NODE|auto placement.
public sealed partial class ClusterFrontActor
{
    private void Owned(OwnedStart owned)
    {
        if (owned.Command is CreateDomain create)
            Claim(owned, create.Xml);
        else if (RemoteOwner(CommandTargets.Of(owned.Command)) is { } owner)
            Sender.Tell(new ErrorReply(ErrorCode.ConfigUnsupported,
                $"the domain lives on node {owner}: autodestroy ties a domain to a client of its own node's daemon"));
        else
            _local.Forward(owned);
    }

    private static string? HostOf(object request) => request switch
    {
        DefineDomain d => d.Host,
        CreateDomain c => c.Host,
        OwnedStart { Command: CreateDomain c } => c.Host,
        _ => null,
    };

    private static object WithHost(object request, string? host) => request switch
    {
        DefineDomain d => d with { Host = host },
        CreateDomain c => c with { Host = host },
        OwnedStart { Command: CreateDomain c } owned => owned with { Command = c with { Host = host } },
        _ => request,
    };

    private void Claim(object request, string xml)
    {
        if (HostOf(request) is { } host && host != Self_)
        {
            Place(request, xml, host);
            return;
        }
        string name;
        Guid? uuid;
        try
        {
            (name, uuid) = DomainXml.ParseIdentity(xml);
        }
        catch (VirtException)
        {
            _local.Forward(request); // the registry names what is wrong with the XML
            return;
        }
        ClaimHere(request, name, uuid, Sender);
    }

    private void ClaimHere(object request, string name, Guid? uuid, IActorRef replyTo) =>
        _directory.Ask<NameClaimed>(new ClaimName(name, uuid?.ToString(), Self_), _settings.AskTimeout)
            .PipeTo(Self, success: answer => new Claimed(request, replyTo, name, answer),
                failure: e => new Claimed(request, replyTo, name, new NameClaimed(false, false, false,
                    $"cannot prove the name '{name}' free: the cluster's name directory did not answer within {_settings.AskTimeout.TotalSeconds:0} s")));

    /// <summary>`--host NODE` sends the request to that node's front; `--host auto` asks every node first.</summary>
    private void Place(object request, string xml, string host)
    {
        if (request is OwnedStart)
        {
            Sender.Tell(new ErrorReply(ErrorCode.ConfigUnsupported,
                "autodestroy ties a domain to a client of its own node's daemon: create it there, or without --host"));
            return;
        }
        if (host != Placement.Auto)
        {
            SendTo(request, host, Sender);
            return;
        }
        DomainDefinition definition;
        try
        {
            definition = DomainXml.Parse(xml);
        }
        catch (VirtException)
        {
            _local.Forward(WithHost(request, null)); // the registry names what is wrong with the XML
            return;
        }
        var ask = new AskCapacity(definition.MemoryKiB, definition.Devices.Emulator, definition.Os.Machine, definition.Type == DomainType.Kvm);
        var nodes = _members.Nodes.Where(n => n.Reachable).ToList();
        var answers = nodes.Select(node => node.Name == Self_
            ? CapacityAsync(ask)
            : FrontOf(node).Ask<NodeCapacity>(ask, _settings.AskTimeout)).ToList();
        var replyTo = Sender;
        Task.WhenAll(answers.Select(a => a.ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : null, TaskScheduler.Default)))
            .ContinueWith(t => new Placed(request, replyTo, [.. t.Result.OfType<NodeCapacity>()], nodes.Count), TaskScheduler.Default)
            .PipeTo(Self);
    }

    private void PlacementAnswered(Placed placed)
    {
        var (node, error) = Placement.Choose(placed.Answers, placed.Asked);
        if (node is null)
            placed.ReplyTo.Tell(new ErrorReply(ErrorCode.OperationFailed, error!));
        else if (node == Self_)
        {
            var (name, uuid) = DomainXml.ParseIdentity(placed.Request is DefineDomain d ? d.Xml : ((CreateDomain)placed.Request).Xml);
            ClaimHere(WithHost(placed.Request, Self_), name, uuid, placed.ReplyTo);
        }
        else
            SendTo(placed.Request, node, placed.ReplyTo);
    }

    private void SendTo(object request, string node, IActorRef replyTo)
    {
        if (_members.Find(node) is not { } member)
            replyTo.Tell(new ErrorReply(ErrorCode.InvalidArg, $"no node named '{node}' in the cluster"));
        else if (!member.Reachable)
            replyTo.Tell(new ErrorReply(ErrorCode.OperationFailed, $"node {node} cannot be reached (host unreachable)"));
        else
            FrontOf(member).Tell(WithHost(request, node), replyTo);
    }

    private ActorSelection FrontOf(ClusterMembers.Node node) => Context.ActorSelection(new RootActorPath(node.Address) / "user" / Name);

    /// <summary>This node's answer for placement: available memory, and whether its emulator can run the domain.</summary>
    private async Task<NodeCapacity> CapacityAsync(AskCapacity ask)
    {
        var (node, capabilities, emulator) = (Self_, _capabilities, ask.Emulator ?? _defaultEmulator);
        var available = Supervisor.Host.NodeMemory.AvailableKiB();
        try
        {
            var probed = await capabilities.GetAsync(Runtime.DomainRuntime.ResolveEmulator(emulator)).WaitAsync(_settings.AskTimeout).ConfigureAwait(false);
            return new NodeCapacity(node, available, Placement.Refusal(ask, probed, available));
        }
        catch (Exception e) when (e is VirtException or IOException or TimeoutException or UnauthorizedAccessException or InvalidOperationException)
        {
            return new NodeCapacity(node, available, $"its emulator {emulator} cannot be used: {e.Message}");
        }
    }

    private void ClaimAnswered(Claimed claimed)
    {
        if (!claimed.Answer.Granted)
        {
            claimed.ReplyTo.Tell(new ErrorReply(claimed.Answer.Taken ? ErrorCode.DomainExists : ErrorCode.OperationFailed,
                $"{(claimed.Answer.Taken ? "operation failed: " : "")}{claimed.Answer.Reason}"));
            return;
        }
        var fresh = claimed.Answer.Fresh;
        var placed = HostOf(claimed.Request) is not null;
        _local.Ask<object>(WithHost(claimed.Request, null), _callTimeout).PipeTo(Self,
            success: reply => new Defined(claimed.ReplyTo, reply, claimed.Domain, fresh, placed),
            failure: e => new Defined(claimed.ReplyTo, new ErrorReply(ErrorCode.OperationTimeout, e.Message), claimed.Domain, fresh, placed));
    }

    private void DefineAnswered(Defined defined)
    {
        // A placed domain's answer says where it went.
        defined.ReplyTo.Tell(defined.Placed && defined.Reply is DomainSummary summary ? summary with { Host = Self_ } : defined.Reply);
        if (defined.Reply is ErrorReply && defined.Fresh)
            _directory.Tell(new ReleaseName(defined.Domain, Self_));
        else
            Sync();
    }
}
