using System.Text.Json.Nodes;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;

namespace Virt.Supervisor.CommandLine;

/// <summary>
/// What a NIC is to QEMU, at start and hot-plugged alike: its device id (net0, as libvirt's alias), its backend's id
/// (hostnet0), its device driver, and the user-mode or existing-tap backend that needs no descriptor from the daemon.
/// </summary>
public static class NicDevices
{
    public static string DeviceId(int index) => $"net{index}";

    public static string NetdevId(string deviceId) => "host" + deviceId;

    /// <summary>The QEMU driver of a model; libvirt's default, rtl8139, when none is written.</summary>
    public static string Driver(string? model, string what) => (model ?? "rtl8139") switch
    {
        "virtio" => "virtio-net-pci",
        "rtl8139" or "e1000" or "e1000e" or "vmxnet3" or "pcnet" or "ne2k_pci" or "i82559er" => model ?? "rtl8139",
        _ => throw new VirtException(ErrorCode.ConfigUnsupported, $"{what}: <model type='{model}'> is not supported"),
    };

    /// <summary>slirp, with the guest network its &lt;ip&gt; elements choose.</summary>
    public static JsonObject User(InterfaceDevice nic)
    {
        var user = new JsonObject { ["type"] = "user" };
        foreach (var ip in nic.Ips)
        {
            if (ip.Family == "ipv6" || (ip.Family is null && ip.Address.Contains(':')))
            {
                user["ipv6-prefix"] = ip.Address;
                user["ipv6-prefixlen"] = ip.Prefix ?? 64;
            }
            else
            {
                user["net"] = $"{ip.Address}/{ip.Prefix ?? 24}";
            }
        }
        return user;
    }

    /// <summary>An existing tap opened by name (a persistent tap owned by the user needs no privileges).</summary>
    public static JsonObject Ethernet(InterfaceDevice nic, string what)
    {
        var tap = nic.TargetDev ?? throw new VirtException(ErrorCode.ConfigUnsupported,
            $"{what}: needs <target dev='TAP'/> naming an existing tap device; Virt does not create taps (create one with: ip tuntap add mode tap user $USER)");
        return new JsonObject { ["type"] = "tap", ["ifname"] = tap, ["script"] = "no", ["downscript"] = "no" };
    }

    /// <summary>The live definition of a domain just started: each NIC named by the id its argv gave it.</summary>
    public static DomainDefinition WithAliases(DomainDefinition def)
    {
        var nics = def.Devices.Interfaces;
        return nics.Count == 0 ? def
            : def with { Devices = def.Devices with { Interfaces = [.. nics.Select((nic, i) => nic with { Alias = DeviceId(i) })] } };
    }
}
