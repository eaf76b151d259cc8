using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Virt.Actors.Connections;
using Virt.Actors.Connections.Hosting;
using Virt.Actors.Hosting;
using Virt.Actors.Registry;
using Virt.TestSupport;
using static Virt.Actors.Connections.ConnectionCommands;
using static Virt.Actors.Connections.ConnectionReplies;
using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Actors.Tests.Connections;

public sealed class ConnectionActorsHostingTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task ManagerIsReachableThroughItsMarkerKeyAndTalksToTheRegistry()
    {
        using var host = new HostBuilder()
            .ConfigureServices(s => s.AddAkka("connections-hosting-test", b => b
                .WithDomainActors(new DomainRegistrySettings(_temp.Combine("qemu")))
                .WithConnectionActors()))
            .Build();
        await host.StartAsync();
        try
        {
            var manager = host.Services.GetRequiredService<IRequiredActor<ConnectionManager>>().ActorRef;
            Assert.Equal("/user/connections", manager.Path.ToStringWithoutAddress());
            var timeout = TimeSpan.FromSeconds(10);
            var opened = await manager.Ask<ConnectionOpened>(new OpenConnection(Clients.ReadWrite, null, null), timeout);
            Assert.Equal("/user/connections/1", opened.Connection.Path.ToStringWithoutAddress());

            await opened.Connection.Ask<DomainSummary>(new DefineDomain(SmallDomains.Xml("vm", Guid.NewGuid())), timeout);
            var list = await opened.Connection.Ask<DomainList>(new ListDomains(), timeout);
            Assert.Equal(["vm"], list.Domains.Select(d => d.Name.Value));
        }
        finally
        {
            await host.StopAsync();
        }
    }
}
