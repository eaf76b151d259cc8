using Akka.Configuration;
using Virt.Actors.Runtime;
using Virt.Host.Configuration;
using Virt.Supervisor.Paths;
using Virt.TestSupport;

namespace Virt.Host.Tests.Configuration;

/// <summary>
/// The defaults have one home, the code (VirtRuntimeSettings, HostSettings); config.hocon shows them to an
/// administrator and must say the same, or an edit to one would silently disagree with the other.
/// </summary>
public sealed class ShippedDefaultsTests
{
    [Fact]
    public void Config_hocon_states_exactly_the_code_defaults()
    {
        var paths = VirtPaths.Embed("/tmp/virt-defaults-test");
        var shipped = VirtConfig.FromHocon(ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(RepoPaths.Root, "config.hocon"))), paths);
        var code = VirtConfig.FromHocon(ConfigurationFactory.Empty, paths);

        var (s, c) = (shipped.Runtime, code.Runtime);
        Assert.Equal(
            (c.DefaultEmulator, c.KillTimeout, c.QmpTimeout, c.StartTimeout, c.JobWait, c.Autostart, c.Networks.Count),
            (s.DefaultEmulator, s.KillTimeout, s.QmpTimeout, s.StartTimeout, s.JobWait, s.Autostart, s.Networks.Count));
        Assert.Equal(code.Host with { Remote = code.Host.Remote with { TrustedThumbprints = [] }, Cluster = code.Host.Cluster with { SeedNodes = [] } },
            shipped.Host with { Remote = shipped.Host.Remote with { TrustedThumbprints = [] }, Cluster = shipped.Host.Cluster with { SeedNodes = [] } });
        Assert.Empty(shipped.Host.Remote.TrustedThumbprints);
        Assert.Empty(shipped.Host.Cluster.SeedNodes);
        // And the code's defaults are what a runtime gets without any file.
        Assert.Equal(new VirtRuntimeSettings { Paths = paths }.KillTimeout, c.KillTimeout);
        Assert.Equal(new HostSettings().CallTimeout, code.Host.CallTimeout);
    }
}
