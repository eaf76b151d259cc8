using System.Text.Json.Nodes;
using Virt.Protocol.Domains;

namespace Virt.Supervisor.CommandLine;

// Interfaces: a -netdev backend and a NIC -device each.
// user is slirp (no privileges); ethernet opens an existing tap by name (a persistent tap owned by
// the user needs no privileges); bridge and network get a tap the daemon made and plugged, passed as a descriptor,
// so QEMU runs no helper and its sandbox can forbid spawning.
internal sealed partial class ArgvBuild
{
    private void WriteInterfaces()
    {
        var nics = _def.Devices.Interfaces;
        for (var i = 0; i < nics.Count; i++)
        {
            var nic = nics[i];
            var what = $"interface {i} (type {nic.Type.ToString().ToLowerInvariant()})";
            var netdev = Netdev(nic, i, what);
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
                ["mac"] = nic.Mac ?? Layout.InterfaceMacs.Derived(_def.Uuid, i),
            };
            if (_boot.IndexOf(nic) is { } bootIndex)
                device["bootindex"] = bootIndex;
            _pci.Place(device, nic.Address, what);
            _argv.Json("-device", device);
        }
    }

    private JsonObject Netdev(InterfaceDevice nic, int index, string what)
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
            case InterfaceType.Bridge or InterfaceType.Network:
                // Only the daemon can make the tap; a build without one (a conversion, a test) names what was missing.
                if (!_ctx.TapDescriptors.TryGetValue(index, out var fd))
                    throw Unsupported($"{what}: needs a tap on {(nic.Type == InterfaceType.Bridge ? "bridge" : "network")} '{nic.SourceName}', which only a start by the daemon makes");
                return new JsonObject { ["type"] = "tap", ["fd"] = fd.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            default:
                throw Unsupported($"{what}: interface type is not supported");
        }
    }
}
