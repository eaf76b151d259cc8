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
            var id = NicDevices.DeviceId(i);
            var netdev = Netdev(nic, i, what);
            netdev["id"] = NicDevices.NetdevId(id);
            _argv.Json("-netdev", netdev);

            var device = new JsonObject
            {
                ["driver"] = NicDevices.Driver(nic.Model, what),
                ["netdev"] = NicDevices.NetdevId(id),
                ["id"] = id,
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
                return NicDevices.User(nic);
            case InterfaceType.Ethernet:
                return NicDevices.Ethernet(nic, what);
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
