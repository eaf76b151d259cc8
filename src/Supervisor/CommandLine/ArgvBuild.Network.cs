using System.Text.Json.Nodes;
using Virt.Protocol.Domains;

namespace Virt.Supervisor.CommandLine;

// Interfaces: a -netdev backend and a NIC -device each.
// user is slirp (no privileges); ethernet opens an existing tap by name (a persistent tap owned by
// the user needs no privileges); bridge and network would need a privileged helper to create a tap
// and are refused with what to use instead.
internal sealed partial class ArgvBuild
{
    private void WriteInterfaces()
    {
        var nics = _def.Devices.Interfaces;
        for (var i = 0; i < nics.Count; i++)
        {
            var nic = nics[i];
            var what = $"interface {i} (type {nic.Type.ToString().ToLowerInvariant()})";
            var netdev = Netdev(nic, what);
            netdev["id"] = $"hostnet{i}";
            _argv.Json("-netdev", netdev);

            var model = nic.Model ?? "rtl8139";
            var driver = model switch
            {
                "virtio" => "virtio-net-pci",
                "rtl8139" or "e1000" or "e1000e" or "vmxnet3" or "pcnet" or "ne2k_pci" or "i82559er" => model,
                _ => throw Unsupported($"{what}: <model type='{model}'> is not supported"),
            };
            var device = new JsonObject
            {
                ["driver"] = driver,
                ["netdev"] = $"hostnet{i}",
                ["id"] = $"net{i}",
                ["mac"] = nic.Mac ?? GeneratedMac(i),
            };
            if (_boot.IndexOf(nic) is { } bootIndex)
                device["bootindex"] = bootIndex;
            _pci.Place(device, nic.Address, what);
            _argv.Json("-device", device);
        }
    }

    private static JsonObject Netdev(InterfaceDevice nic, string what)
    {
        switch (nic.Type)
        {
            case InterfaceType.User:
                var user = new JsonObject { ["type"] = "user" };
                foreach (var ip in nic.Ips)
                {
                    var v6 = ip.Family == "ipv6" || (ip.Family is null && ip.Address.Contains(':'));
                    if (v6)
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
            case InterfaceType.Ethernet:
                var tap = nic.TargetDev ?? throw Unsupported(
                    $"{what}: needs <target dev='TAP'/> naming an existing tap device; Virt does not create taps (create one with: ip tuntap add mode tap user $USER)");
                return new JsonObject { ["type"] = "tap", ["ifname"] = tap, ["script"] = "no", ["downscript"] = "no" };
            case InterfaceType.Bridge:
                throw Unsupported(
                    $"{what}: attaching to bridge '{nic.SourceName}' needs a privileged helper to create a tap, which Virt does not run; create a tap owned by you, add it to the bridge, and use <interface type='ethernet'><target dev='TAP'/>, or use type='user'");
            case InterfaceType.Network:
                throw Unsupported(
                    $"{what}: virtual network '{nic.SourceName}' is not supported (Virt manages no networks); use type='user', or type='ethernet' with an existing tap");
            default:
                throw Unsupported($"{what}: interface type is not supported");
        }
    }

    /// <summary>A stable MAC in QEMU's 52:54:00 range for an interface the definition gave none, derived from the domain UUID.</summary>
    private string GeneratedMac(int index)
    {
        var bytes = _def.Uuid.ToByteArray();
        return $"52:54:00:{bytes[13]:x2}:{bytes[14]:x2}:{(byte)(bytes[15] + index):x2}";
    }
}
