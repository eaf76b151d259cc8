using Akka.Actor;
using Virt.Actors.Config;
using Virt.Protocol.Api;
using Virt.Protocol.Domains;
using Virt.TestSupport;
using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Actors.Tests.Domains;

/// <summary>A shut-off domain found by the start-up scan has no actor until a command needs one; then it runs as any other.</summary>
public sealed class OnDemandDomainActorSpec : QemuDomainSpec
{
    [Fact]
    public async Task A_scanned_shut_off_domain_starts_answers_and_stops_through_an_actor_made_on_demand()
    {
        var uuid = Guid.NewGuid();
        ConfigStore.Open(Paths.ConfigDir).Save(DomainXml.Parse(GuestXml("lazy", uuid)));
        var registry = Registry();
        var domain = DomainRef.ByName("lazy");

        var info = Call<DomainInfo>(registry, new GetDomainInfo(domain));
        Assert.Equal(("shut off (unknown)", null), (info.Domain.StateText, info.Domain.Id));
        Assert.Contains("<name>lazy</name>", Call<DomainXmlDescription>(registry, new GetDomainXml(domain, Inactive: true)).Xml);
        await Assert.ThrowsAsync<ActorNotFoundException>(() => Sys.ActorSelection(registry.Path / uuid.ToString("D")).ResolveOne(TimeSpan.FromSeconds(1)));

        var started = Start(registry, "lazy");
        ExpectEvents("lazy", LibvirtLifecycle.Start);
        await Sys.ActorSelection(registry.Path / uuid.ToString("D")).ResolveOne(TimeSpan.FromSeconds(3));
        info = Call<DomainInfo>(registry, new GetDomainInfo(domain));
        Assert.Equal(("running (booted)", started.Id), (info.Domain.StateText, info.Domain.Id));
        Assert.Contains($"<domain type='qemu' id='{started.Id}'>", Call<DomainXmlDescription>(registry, new GetDomainXml(domain)).Xml);

        AwaitGuestReady("lazy");
        var pid = Pid(started.Uuid);
        Call<DomainSummary>(registry, new DestroyDomain(domain));
        ExpectEvents("lazy", LibvirtLifecycle.Destroy);
        AssertGone(pid);
        Assert.Equal("shut off (destroyed)", Call<DomainInfo>(registry, new GetDomainInfo(domain)).Domain.StateText);
        Assert.DoesNotContain(" id=", Call<DomainXmlDescription>(registry, new GetDomainXml(domain)).Xml.Split('\n')[0]);
    }
}
