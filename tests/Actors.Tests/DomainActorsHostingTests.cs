using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Virt.Actors.Hosting;
using Virt.Actors.Registry;
using Virt.TestSupport;
using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Actors.Tests;

public sealed class DomainActorsHostingTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static IHost Build(string dir) =>
        new HostBuilder()
            .ConfigureServices(s => s.AddAkka("hosting-test", b => b.WithDomainActors(new DomainRegistrySettings(dir))))
            .Build();

    [Fact]
    public async Task RegistryIsReachableThroughItsMarkerKey()
    {
        using var host = Build(_temp.Combine("qemu"));
        await host.StartAsync();
        try
        {
            var registry = host.Services.GetRequiredService<ActorRegistry>().Get<DomainRegistry>();
            Assert.Equal("/user/domains", registry.Path.ToStringWithoutAddress());
            var summary = await registry.Ask<DomainSummary>(new DefineDomain(SmallDomains.Xml("vm", Guid.NewGuid())), TimeSpan.FromSeconds(10));
            Assert.Equal("vm", summary.Name.Value);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task DirectoryOpenToOthersFailsTheStart()
    {
        var dir = _temp.Combine("qemu");
        Directory.CreateDirectory(dir);
        File.SetUnixFileMode(dir, (UnixFileMode)Convert.ToInt32("775", 8));
        using var host = Build(dir);

        var e = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());
        Assert.Contains("chmod 700", e.ToString());
        await host.StopAsync();
    }
}
