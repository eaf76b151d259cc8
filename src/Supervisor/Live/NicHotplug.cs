using System.Text.Json.Nodes;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.Supervisor.CommandLine;
using Virt.Supervisor.Layout;
using Virt.Supervisor.Qmp;

namespace Virt.Supervisor.Live;

/// <summary>
/// A NIC plugged into a running QEMU as a start would have made it: netdev_add of its backend (host + its id), then
/// device_add of its model with its MAC; a plug whose device_add fails takes its backend back. Only backends QEMU opens
/// itself: a bridge or network tap is made by the daemon at start and cannot be plugged later.
/// </summary>
public static class NicHotplug
{
    /// <param name="live">The running domain, for its machine's root bus when the NIC names a PCI address.</param>
    /// <param name="nic">The NIC with its MAC and its device id (Alias) decided.</param>
    public static async Task AttachAsync(QmpClient qmp, DomainDefinition live, InterfaceDevice nic, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(qmp);
        ArgumentNullException.ThrowIfNull(live);
        ArgumentNullException.ThrowIfNull(nic);
        var id = nic.Alias ?? throw new ArgumentException("the NIC needs its device id", nameof(nic));
        var what = $"interface {nic.Mac}";
        var netdev = Backend(nic, what);
        netdev["id"] = NicDevices.NetdevId(id);
        var device = new JsonObject
        {
            ["driver"] = NicDevices.Driver(nic.Model, what),
            ["netdev"] = NicDevices.NetdevId(id),
            ["id"] = id,
            ["mac"] = nic.Mac,
        };
        if (PciAddress.From(nic.Address, what) is { } at)
        {
            if (at.Bus != 0)
                throw new VirtException(ErrorCode.OperationUnsupported, $"{what}: hot-plug takes a PCI address on the root bus (bus 0), not bus {at.Bus}");
            device["bus"] = (MachineFamilies.Of(live.Os.Machine ?? "pc") ?? MachineFamily.I440fx).PciRootBus();
            device["addr"] = at.QemuAddr;
        }
        await qmp.ExecuteAsync("netdev_add", netdev, timeout).ConfigureAwait(false);
        try
        {
            await qmp.ExecuteAsync("device_add", device, timeout).ConfigureAwait(false);
        }
        catch
        {
            await DeleteBackendAsync(qmp, id, timeout).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>After the guest let the device go: its backend, which nothing uses any more.</summary>
    public static async Task DeleteBackendAsync(QmpClient qmp, string deviceId, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(qmp);
        try { await qmp.ExecuteAsync("netdev_del", new JsonObject { ["id"] = NicDevices.NetdevId(deviceId) }, timeout).ConfigureAwait(false); }
        catch (VirtException) { } // QEMU is going: its backends go with it
    }

    private static JsonObject Backend(InterfaceDevice nic, string what) => nic.Type switch
    {
        InterfaceType.User => NicDevices.User(nic),
        InterfaceType.Ethernet => NicDevices.Ethernet(nic, what),
        _ => throw new VirtException(ErrorCode.OperationUnsupported,
            $"{what}: an interface of type '{nic.Type.ToString().ToLowerInvariant()}' cannot be hot-plugged: its tap is made only at start; attach it with --config"),
    };
}
