using Akka.Configuration;
using Virt.Host.Configuration;
using Virt.Protocol.Errors;
using Virt.Supervisor.Paths;

namespace Virt.Host.Tests.Configuration;

/// <summary>virt.networks: each libvirt network name a definition may use, to the bridge it stands for.</summary>
public sealed class NetworkSettingsTests
{
    private static VirtConfig Load(string hocon) => VirtConfig.FromHocon(ConfigurationFactory.ParseString(hocon), VirtPaths.Embed("/tmp/virt-config-test"));

    [Fact]
    public void Networks_map_names_to_bridges_and_none_are_defined_by_default()
    {
        Assert.Empty(Load("").Runtime.Networks);
        var networks = Load("virt.networks { default { bridge = virbr0 }\n lab { bridge = br-lab } }").Runtime.Networks;
        Assert.Equal(new Dictionary<string, string> { ["default"] = "virbr0", ["lab"] = "br-lab" }, networks);
    }

    [Theory]
    [InlineData("virt.networks { default { } }", "''")]
    [InlineData("virt.networks { default { bridge = \"a b\" } }", "'a b'")]
    [InlineData("virt.networks { default { bridge = averyveryverylongbridge } }", "'averyveryverylongbridge'")]
    public void A_network_without_a_usable_bridge_name_is_refused_naming_the_setting(string hocon, string shown)
    {
        var error = Assert.Throws<VirtException>(() => Load(hocon));
        Assert.Equal(ErrorCode.ConfigUnsupported, error.Code);
        Assert.Contains("virt.networks.default.bridge", error.Message);
        Assert.Contains(shown, error.Message);
    }
}
