using System.Diagnostics;
using Akka.Actor;
using Virt.Actors.Config;
using Virt.Actors.Registry;
using Virt.Actors.Runtime;
using Virt.Protocol.Api;
using Virt.Supervisor.TestGuest;
using Virt.TestSupport;
using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainReplies;
using static Virt.Protocol.Api.DomainSaves;

namespace Virt.Bench;

/// <summary>
/// save-restore: the test guest with 256 MiB of memory saved to a file and restored, asked of the registry in process;
/// the image size is what QEMU's stream of a mostly untouched 256 MiB guest takes (zero pages travel as flags).
/// </summary>
public static class SaveRestoreBenchmark
{
    private const int Runs = 10;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static async Task RunAsync()
    {
        using var temp = new TempDirectory("vsave");
        var image = temp.Combine("guest.img");
        TestGuestImage.Write(image);
        var settings = VirtRuntimeSettings.ForConfigDirectory(temp.Combine("etc", "qemu")) with { Autostart = false };
        var system = ActorSystem.Create("save", "akka.loglevel = WARNING");
        var registry = system.ActorOf(DomainRegistryActor.Props(ConfigStore.Open(settings.Paths.ConfigDir), new DomainRuntime(settings)), "domains");
        var domain = DomainRef.ByName("big");
        var file = temp.Combine("big.save");
        try
        {
            var xml = BenchGuest.DomainXml("big", image).Replace("<memory unit='MiB'>16</memory>", "<memory unit='MiB'>256</memory>");
            await Expect(registry.Ask(new DefineDomain(xml), Timeout));
            await Expect(registry.Ask(new StartDomain(domain), Timeout));
            await Task.Delay(500); // the guest is in its poll loop
            var save = new List<double>();
            var restore = new List<double>();
            for (var run = 0; run < Runs; run++)
            {
                var clock = Stopwatch.StartNew();
                await Expect(registry.Ask(new SaveDomain(domain, file), Timeout));
                save.Add(clock.Elapsed.TotalMilliseconds);
                clock.Restart();
                await Expect(registry.Ask(new RestoreDomain(file), Timeout));
                restore.Add(clock.Elapsed.TotalMilliseconds);
            }
            save.Sort();
            restore.Sort();
            Console.WriteLine($"256 MiB test guest, image {new FileInfo(file).Length / 1024} KiB, {Runs} runs, in process:");
            Console.WriteLine($"save    median {save[Runs / 2],7:F1} ms (min {save[0]:F1}, max {save[^1]:F1})");
            Console.WriteLine($"restore median {restore[Runs / 2],7:F1} ms (min {restore[0]:F1}, max {restore[^1]:F1}) to running, QEMU start included");
        }
        finally
        {
            await registry.Ask(new DestroyDomain(domain), Timeout);
            await system.Terminate();
        }
    }

    private static async Task Expect(Task<object> ask)
    {
        if (await ask is ErrorReply e)
            throw new InvalidOperationException($"{e.Code}: {e.Message}");
    }
}
