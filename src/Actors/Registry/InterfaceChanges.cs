using System.Globalization;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.Supervisor.CommandLine;

namespace Virt.Actors.Registry;

/// <summary>
/// libvirt's rules for network interfaces added, removed and updated: an interface is found as virDomainNetFindIdx
/// finds it (by its MAC when the request names one, then its PCI address and alias when given); a running domain's
/// NICs keep the QEMU id they were plugged with (their alias), so one plugged after a removal never reuses a live id.
/// </summary>
public static class InterfaceChanges
{
    /// <summary>A device document holding an &lt;interface&gt;; one that does not parse goes the disk's way, which names its error.</summary>
    public static bool IsInterface(string xml)
    {
        try
        {
            return DomainXml.DeviceElement(xml) == "interface";
        }
        catch (VirtException)
        {
            return false;
        }
    }

    /// <summary>The interface as an attach stores it: virtio when no model is written, a MAC when none, no alias (QEMU's, live only).</summary>
    public static InterfaceDevice Completed(InterfaceDevice nic, DomainDefinition config, Random random)
    {
        ArgumentNullException.ThrowIfNull(nic);
        ArgumentNullException.ThrowIfNull(config);
        return nic with { Model = nic.Model ?? "virtio", Mac = nic.Mac ?? NewMac(config.Devices.Interfaces.Select(n => n.Mac), random), Alias = null };
    }

    /// <summary>A random address in QEMU's 52:54:00 range that none of <paramref name="taken"/> has.</summary>
    public static string NewMac(IEnumerable<string?> taken, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var used = taken.ToHashSet();
        while (true)
        {
            var mac = string.Create(CultureInfo.InvariantCulture, $"52:54:00:{random.Next(256):x2}:{random.Next(256):x2}:{random.Next(256):x2}");
            if (!used.Contains(mac))
                return mac;
        }
    }

    /// <summary>The interface added to a config; a MAC the domain has already is refused, as libvirt did before it stopped checking.</summary>
    public static DomainDefinition Attach(DomainDefinition d, InterfaceDevice nic)
    {
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(nic);
        if (nic.Mac is { } mac && d.Devices.Interfaces.Any(n => n.Mac == mac))
            throw new VirtException(ErrorCode.InvalidArg, $"mac {mac} already exists");
        return With(d, [.. d.Devices.Interfaces, nic with { Alias = null }]);
    }

    /// <summary>
    /// The interface plugged into a running domain: with the first device id (netN) no NIC of it has, so its backend
    /// (hostnetN) is free too. The domain's NICs that have no id yet get the one their start gave them.
    /// </summary>
    public static (DomainDefinition Changed, InterfaceDevice Plugged) Plug(DomainDefinition live, InterfaceDevice nic)
    {
        var pinned = Pinned(live);
        if (nic.Type is not (InterfaceType.User or InterfaceType.Ethernet))
            throw NotHotpluggable(nic);
        var ids = pinned.Devices.Interfaces.Select(n => n.Alias).ToHashSet();
        var n = 0;
        while (ids.Contains(NicDevices.DeviceId(n)))
            n++;
        var plugged = nic with { Alias = NicDevices.DeviceId(n) };
        var changed = Attach(pinned, plugged);
        return (With(changed, [.. changed.Devices.Interfaces.SkipLast(1), plugged]), plugged);
    }

    /// <summary>A tap on a bridge or network is made by the daemon at start only.</summary>
    public static VirtException NotHotpluggable(InterfaceDevice nic) => new(ErrorCode.OperationUnsupported,
        $"an interface of type '{Type(nic)}' cannot be hot-plugged into a running domain: its tap is made only at start; attach it with --config (user and ethernet interfaces can be hot-plugged)");

    /// <summary>A running domain's NICs, each with its QEMU device id: the one it was plugged with, else its start's (its index).</summary>
    public static DomainDefinition Pinned(DomainDefinition live)
    {
        ArgumentNullException.ThrowIfNull(live);
        var nics = live.Devices.Interfaces;
        return nics.All(n => n.Alias is not null) ? live
            : With(live, [.. nics.Select((nic, i) => nic.Alias is null ? nic with { Alias = NicDevices.DeviceId(i) } : nic)]);
    }

    /// <summary>
    /// The definition without the interface <paramref name="match"/> names, and that interface. A running domain's
    /// definition is <see cref="Pinned"/> first, so the removed NIC carries its QEMU id.
    /// </summary>
    public static (DomainDefinition Changed, InterfaceDevice Removed) Detach(DomainDefinition d, InterfaceDevice match)
    {
        var index = IndexOf(d, match);
        return (With(d, [.. d.Devices.Interfaces.Where((_, i) => i != index)]), d.Devices.Interfaces[index]);
    }

    /// <summary>The running domain's NIC with this QEMU device id, or null.</summary>
    public static InterfaceDevice? ByAlias(DomainDefinition live, string alias) =>
        Pinned(live).Devices.Interfaces.FirstOrDefault(n => n.Alias == alias);

    /// <summary>
    /// The config's interface replaced by <paramref name="nic"/> (virDomainNetUpdate): it keeps its MAC and, when the
    /// new one names none, its PCI address.
    /// </summary>
    public static DomainDefinition Update(DomainDefinition d, InterfaceDevice nic)
    {
        var index = IndexOf(d, nic);
        var old = d.Devices.Interfaces[index];
        var updated = nic with { Mac = old.Mac, Address = nic.Address ?? old.Address, Alias = null };
        return With(d, [.. d.Devices.Interfaces.Select((n, i) => i == index ? updated : n)]);
    }

    /// <summary>
    /// A running domain's interface as an update asks it to be: QEMU cannot change a NIC's backend or device in
    /// place, so anything but what it is now is refused with libvirt's message (qemuDomainChangeNet).
    /// </summary>
    public static void CheckLiveUpdate(DomainDefinition live, InterfaceDevice nic)
    {
        var old = Pinned(live).Devices.Interfaces[IndexOf(Pinned(live), nic)];
        string? refusal =
            old.Type != nic.Type ? $"cannot change network interface type from '{Type(old)}' to '{Type(nic)}'"
            : nic.Model is not null && nic.Model != old.Model ? $"cannot modify network device model from {old.Model ?? "rtl8139"} to {nic.Model}"
            : old.TargetDev != nic.TargetDev && nic.TargetDev is not null ? "cannot modify network device tap name"
            : old.BootOrder != nic.BootOrder ? "cannot modify network device boot index setting"
            : nic.Address is not null && Pci(nic.Address) != Pci(old.Address) ? "cannot modify network device guest PCI address"
            : old.SourceName != nic.SourceName ? $"cannot change the source of a running domain's '{Type(old)}' interface {old.Mac}"
            : !old.Ips.SequenceEqual(nic.Ips) ? $"cannot change the <ip> of a running domain's '{Type(old)}' interface {old.Mac}"
            : null;
        if (refusal is not null)
            throw new VirtException(ErrorCode.OperationUnsupported, refusal);
    }

    /// <summary>libvirt's virDomainNetFindIdx: the one interface that matches, or libvirt's error.</summary>
    public static int IndexOf(DomainDefinition d, InterfaceDevice match)
    {
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(match);
        var pci = Pci(match.Address);
        var found = -1;
        var nics = d.Devices.Interfaces;
        for (var i = 0; i < nics.Count; i++)
        {
            var nic = nics[i];
            if ((match.Mac is not null && nic.Mac != match.Mac)
                || (pci is not null && Pci(nic.Address) != pci)
                || (match.Alias is not null && nic.Alias is not null && nic.Alias != match.Alias))
                continue;
            if (found >= 0)
                throw new VirtException(ErrorCode.OperationFailed,
                    match.Mac is null ? "multiple matching devices found" : $"multiple devices matching MAC address {match.Mac} found");
            found = i;
        }
        if (found >= 0)
            return found;
        var at = pci is var (domain, bus, slot, function)
            ? string.Create(CultureInfo.InvariantCulture, $"{domain:x4}:{bus:x2}:{slot:x2}.{function}")
            : "(<null>)";
        throw new VirtException(ErrorCode.DeviceMissing,
            $"no device found at address '{at}' matching MAC address '{match.Mac ?? "(<null>)"}' and alias '{match.Alias ?? "(<null>)"}'");
    }

    private static (int Domain, int Bus, int Slot, int Function)? Pci(DeviceAddress? address) =>
        address is { Type: "pci" } a ? (Number(a["domain"]), Number(a["bus"]), Number(a["slot"]), Number(a["function"])) : null;

    /// <summary>A number as libvirt writes it in an address (0x1f or 31); -1 when it is none, so it matches nothing.</summary>
    private static int Number(string? text) =>
        text is null ? 0
        : text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? int.TryParse(text.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var hex) ? hex : -1
            : int.TryParse(text, CultureInfo.InvariantCulture, out var value) ? value : -1;

    private static string Type(InterfaceDevice nic) => nic.Type.ToString().ToLowerInvariant();

    private static DomainDefinition With(DomainDefinition d, IReadOnlyList<InterfaceDevice> nics) =>
        d with { Devices = d.Devices with { Interfaces = nics } };
}
