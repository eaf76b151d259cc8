using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.Supervisor.CommandLine;

namespace Virt.Supervisor.Layout;

/// <summary>
/// Gives every PCI device without an address the address libvirt would give it, adding the PCI controllers libvirt
/// would add: on pc everything on the root bus (pci-bridges when it is full); on q35 each PCIe device behind its own
/// pcie-root-port and conventional PCI devices behind a pcie-to-pci-bridge. The order is libvirt's (PCI controllers,
/// filesystems, NICs, other controllers, virtio disks, balloon, RNGs, watchdog, video, virtio inputs, PCI serial ports), after the
/// chipset's fixed places (pc: IDE 1.1, PIIX3 USB 1.2, primary video slot 2; q35: SATA 1f.2, USB2 1d/1a, video slot 1).
/// Like libvirt it runs twice: a dry run that learns which buses to add, then the assignment on the final buses.
/// </summary>
internal sealed class PciLayout
{
    private readonly MachineFamily _family;
    private readonly PciConnect _pci = PciConnect.PciDevice | PciConnect.AutoAssign;
    private readonly PciConnect _pcie;
    private readonly List<ControllerDevice> _controllers;

    /// <summary>One device that may take a PCI address, with what it needs and where its result goes.</summary>
    private sealed class Entry(string what, PciConnect flags, PciAddress? written)
    {
        public string What { get; } = what;
        public PciConnect Flags { get; } = flags;
        public PciAddress? Written { get; } = written;
        public PciAddress? Assigned { get; set; }
        public PciAddress? Address => Written ?? Assigned;
    }

    private PciLayout(DomainDefinition def, MachineFamily family)
    {
        _family = family;
        _pcie = family == MachineFamily.Q35 ? PciConnect.PcieDevice | PciConnect.AutoAssign : _pci;
        _controllers = [.. def.Devices.Controllers];
    }

    public static DomainDefinition Apply(DomainDefinition def, MachineFamily family) => new PciLayout(def, family).Run(def);

    private DomainDefinition Run(DomainDefinition def)
    {
        var originalMaxIndex = _controllers.Where(c => c.Type == "pci").Select(c => c.Index).DefaultIfEmpty(-1).Max();

        // Dry run: which buses the devices need.
        var entries = ControllerEntries();
        var dry = NewSet(dryRun: true);
        Pass(def, dry, entries);
        if (_family == MachineFamily.Q35 && originalMaxIndex <= 0 && dry.Buses.Count > originalMaxIndex + 1)
            dry.ReserveNext(PciConnect.PcieDevice | PciConnect.AutoAssign, "a free pcie-root-port for hotplug");
        for (var index = 1; index < dry.Buses.Count; index++)
        {
            if (_controllers.Any(c => c.Type == "pci" && c.Index == index))
                continue;
            var added = new ControllerDevice { Type = "pci", Index = index, Model = dry.Buses[index].Model };
            InsertController(added);
            dry.ReserveNext(ControllerFlags(added), $"pci controller {index}");
        }

        // The real run, on the buses the controllers now describe.
        entries = ControllerEntries();
        var set = NewSet(dryRun: false);
        Pass(def, set, entries);
        return Result(def, set, entries);
    }

    private PciAddressSet NewSet(bool dryRun)
    {
        var count = _controllers.Where(c => c.Type == "pci").Select(c => c.Index).DefaultIfEmpty(0).Max() + 1;
        var buses = new List<PciBus>(count);
        for (var index = 0; index < count; index++)
        {
            var controller = _controllers.FirstOrDefault(c => c.Type == "pci" && c.Index == index)
                ?? throw new VirtException(ErrorCode.ConfigUnsupported, $"PCI controller index {index} is missing: the PCI controllers must be numbered without gaps");
            var model = controller.Model ?? (index == 0 ? (_family == MachineFamily.Q35 ? "pcie-root" : "pci-root") : "pci-bridge");
            if (index == 0 && model != (_family == MachineFamily.Q35 ? "pcie-root" : "pci-root"))
                throw new VirtException(ErrorCode.ConfigUnsupported, $"<controller type='pci' index='0' model='{model}'> does not match machine family {_family}");
            if (index > 0 && model is "pci-root" or "pcie-root")
                throw new VirtException(ErrorCode.ConfigUnsupported, $"<controller type='pci' index='{index}' model='{model}'>: only index 0 is a root bus");
            try
            {
                buses.Add(new PciBus(model, controller.Pci?.Hotplug != false));
            }
            catch (ArgumentOutOfRangeException)
            {
                throw new VirtException(ErrorCode.ConfigUnsupported, $"<controller type='pci' model='{model}'> is not supported");
            }
        }
        return new PciAddressSet(buses, dryRun);
    }

    /// <summary>One entry per controller, in the controllers' order.</summary>
    private List<Entry> ControllerEntries() =>
        [.. _controllers.Select(c => new Entry($"<controller type='{c.Type}' index='{c.Index}'{(c.Model is null ? "" : $" model='{c.Model}'")}>",
            ControllerFlags(c), PciAddress.From(c.Address, $"controller {c.Type} {c.Index}")))];

    private void Pass(DomainDefinition def, PciAddressSet set, List<Entry> controllerEntries)
    {
        var d = def.Devices;
        var fss = d.Filesystems.Select((f, i) => new Entry($"filesystem '{f.TargetDir}'", _pcie, PciAddress.From(f.Address, $"filesystem '{f.TargetDir}'"))).ToList();
        var nets = d.Interfaces.Select((n, i) => new Entry($"interface {i}", NetFlags(n), PciAddress.From(n.Address, $"interface {i}"))).ToList();
        var sounds = d.Sounds.Select((x, i) => new Entry($"sound {i}", x.Model is "ich6" or "ich9" or "ac97" or "es1370" ? _pci : PciConnect.None, PciAddress.From(x.Address, $"sound {i}"))).ToList();
        var disks = d.Disks.Select(k => new Entry($"disk '{k.TargetDev}'", k.TargetBus == DiskBus.Virtio ? _pcie : PciConnect.None, PciAddress.From(k.Address, $"disk '{k.TargetDev}'"))).ToList();
        var balloon = d.Memballoon is { Model: "virtio" } b ? new Entry("<memballoon>", _pcie, PciAddress.From(b.Address, "<memballoon>")) : null;
        var rngs = d.Rngs.Select((r, i) => new Entry($"rng {i}", _pcie, PciAddress.From(r.Address, $"rng {i}"))).ToList();
        var watchdog = d.Watchdog is { Model: "i6300esb" } w ? new Entry("<watchdog>", _pci, PciAddress.From(w.Address, "<watchdog>")) : null;
        var videos = d.Videos.Select((v, i) => new Entry($"video {i}", VideoFlags(v), PciAddress.From(v.Address, $"video {i}"))).ToList();
        var inputs = d.Inputs.Select((v, i) => new Entry($"input {i}", v.Bus == "virtio" ? _pcie : PciConnect.None, PciAddress.From(v.Address, $"input {i}"))).ToList();
        var serials = d.Serials.Select((s, i) => new Entry($"serial {i}", (s.TargetModel ?? s.TargetType) == "pci-serial" ? _pci : PciConnect.None, PciAddress.From(s.Address, $"serial {i}"))).ToList();
        var panics = d.Panics.Select((p, i) => new Entry($"panic {i}", p.Model == "pvpanic" ? _pci : PciConnect.None, PciAddress.From(p.Address, $"panic {i}"))).ToList();
        _last = (fss, nets, sounds, disks, balloon, rngs, watchdog, videos, inputs, serials, panics);

        List<Entry> all = [.. controllerEntries, .. fss, .. nets, .. sounds, .. disks, .. rngs, .. videos, .. inputs, .. serials, .. panics];
        if (balloon is not null)
            all.Add(balloon);
        if (watchdog is not null)
            all.Add(watchdog);
        foreach (var entry in all.Where(e => e.Written is not null && e.Flags != PciConnect.None))
            set.Reserve(entry.Written!.Value, entry.Flags, entry.What);

        Chipset(set, controllerEntries, videos, sounds, d.Sounds);

        for (var i = 0; i < _controllers.Count; i++)
        {
            if (_controllers[i].Type == "pci" && _controllers[i].Model is not ("pci-root" or "pcie-root"))
                Assign(set, controllerEntries[i]);
        }
        foreach (var fs in fss)
            Assign(set, fs);
        foreach (var net in nets)
            Assign(set, net);
        foreach (var sound in sounds)
            Assign(set, sound);
        for (var i = 0; i < _controllers.Count; i++)
        {
            var c = _controllers[i];
            if (c.Type is "pci" or "fdc" || (c.Type == "ide" && c.Index == 0) || (c.Type == "usb" && c.Model == "none"))
                continue;
            if (ControllerIndexes.IsUsb2(c))
                AssignUsb2(set, controllerEntries, i);
            else
                Assign(set, controllerEntries[i]);
        }
        foreach (var disk in disks)
            Assign(set, disk);
        if (balloon is not null)
            Assign(set, balloon);
        foreach (var rng in rngs)
            Assign(set, rng);
        if (watchdog is not null)
            Assign(set, watchdog);
        foreach (var video in videos)
            Assign(set, video);
        foreach (var input in inputs)
            Assign(set, input);
        foreach (var serial in serials)
            Assign(set, serial);
        foreach (var panic in panics)
            Assign(set, panic);
    }

    private (List<Entry> Filesystems, List<Entry> Nets, List<Entry> Sounds, List<Entry> Disks, Entry? Balloon, List<Entry> Rngs, Entry? Watchdog, List<Entry> Videos, List<Entry> Inputs, List<Entry> Serials, List<Entry> Panics) _last;

    /// <summary>The places the chipset fixes, taken before anything is assigned.</summary>
    private void Chipset(PciAddressSet set, List<Entry> controllers, List<Entry> videos, List<Entry> sounds, IReadOnlyList<SoundDevice> soundDevices)
    {
        if (_family == MachineFamily.I440fx)
        {
            for (var i = 0; i < _controllers.Count; i++)
            {
                var c = _controllers[i];
                PciAddress? fixedAt = c switch
                {
                    { Type: "ide", Index: 0 } => new PciAddress(0, 1, 1),
                    { Type: "usb", Index: 0, Model: "piix3-uhci" } => new PciAddress(0, 1, 2),
                    _ => null,
                };
                if (fixedAt is { } at)
                    Fix(set, controllers[i], at, _pci);
            }
            Take(set, new PciAddress(0, 1, 0), _pci);
            Take(set, new PciAddress(0, 1, 3), _pci);
            PrimaryVideo(set, videos, 2, _pci);
        }
        else
        {
            for (var i = 0; i < _controllers.Count; i++)
            {
                var c = _controllers[i];
                if (c is { Type: "sata", Index: 0 })
                    Fix(set, controllers[i], new PciAddress(0, 0x1f, 2), PciConnect.PcieDevice);
                else if (c is { Type: "usb", Model: "ich9-uhci1" } && controllers[i].Address is null)
                {
                    var slot = !set.SlotInUse(0, 0x1d) ? 0x1d : !set.SlotInUse(0, 0x1a) ? 0x1a : (int?)null;
                    if (slot is { } s)
                    {
                        var at = new PciAddress(0, s, 0, true);
                        set.Reserve(at, PciConnect.PcieDevice, controllers[i].What, fromConfig: false);
                        controllers[i].Assigned = at;
                    }
                }
                else if (c is { Type: "pci", Model: "dmi-to-pci-bridge" } && controllers[i].Address is null && !set.SlotInUse(0, 0x1e))
                {
                    var at = new PciAddress(0, 0x1e, 0);
                    set.Reserve(at, PciConnect.PcieDevice, controllers[i].What, fromConfig: false);
                    controllers[i].Assigned = at;
                }
            }
            Take(set, new PciAddress(0, 0x1f, 0), PciConnect.PcieDevice);
            Take(set, new PciAddress(0, 0x1f, 3), PciConnect.PcieDevice);
            PrimaryVideo(set, videos, 1, PciConnect.PcieDevice);
            // The first ich9 sound card goes where real ICH9 boards have their HDA controller, 00:1b, when free.
            var hda = Enumerable.Range(0, soundDevices.Count).FirstOrDefault(i => soundDevices[i].Model == "ich9" && sounds[i].Address is null, -1);
            if (hda >= 0 && !set.SlotInUse(0, 0x1b))
            {
                var at = new PciAddress(0, 0x1b, 0);
                set.Reserve(at, PciConnect.PcieDevice, sounds[hda].What);
                sounds[hda].Assigned = at;
            }
        }
    }

    private static void Take(PciAddressSet set, PciAddress at, PciConnect flags)
    {
        if (!set.Buses[0].FunctionInUse(at.Slot, at.Function))
            set.Reserve(at, flags, "the chipset", fromConfig: false);
    }

    /// <summary>A chipset device's one possible address: kept if written there, refused if written elsewhere.</summary>
    private static void Fix(PciAddressSet set, Entry entry, PciAddress at, PciConnect flags)
    {
        if (entry.Written is { } written)
        {
            if (written.Bus != at.Bus || written.Slot != at.Slot || written.Function != at.Function)
                throw new VirtException(ErrorCode.ConfigUnsupported, $"{entry.What} is built into the chipset at PCI address {PciAddressSet.Describe(at)}, not {PciAddressSet.Describe(written)}");
            return;
        }
        if (entry.Assigned is not null)
            return;
        set.Reserve(at, flags, entry.What, fromConfig: true);
        entry.Assigned = at;
    }

    /// <summary>The first video card goes where the chipset's VGA slot is, when that is free.</summary>
    private static void PrimaryVideo(PciAddressSet set, List<Entry> videos, int slot, PciConnect flags)
    {
        if (videos.FirstOrDefault() is not { Flags: not PciConnect.None, Address: null } primary)
            return;
        if (!set.SlotInUse(0, slot))
        {
            var at = new PciAddress(0, slot, 0);
            set.Reserve(at, flags, primary.What);
            primary.Assigned = at;
        }
        else
        {
            Assign(set, primary);
        }
    }

    private static void Assign(PciAddressSet set, Entry entry)
    {
        if (entry.Flags == PciConnect.None || entry.Address is not null)
            return;
        var at = set.ReserveNext(entry.Flags, entry.What);
        if (!set.DryRun)
            entry.Assigned = at;
    }

    /// <summary>An EHCI and its UHCI companions share a slot: EHCI at function 7, UHCI1-3 at 0-2 (UHCI1 multifunction).</summary>
    private void AssignUsb2(PciAddressSet set, List<Entry> controllers, int i)
    {
        var entry = controllers[i];
        if (entry.Address is not null)
            return;
        var c = _controllers[i];
        var function = c.Model switch { "ich9-ehci1" => 7, "ich9-uhci1" => 0, "ich9-uhci2" => 1, _ => 2 };
        var sibling = Enumerable.Range(0, _controllers.Count)
            .Where(j => ControllerIndexes.IsUsb2(_controllers[j]) && _controllers[j].Index == c.Index && controllers[j].Address is not null)
            .Select(j => controllers[j].Address).FirstOrDefault();
        if (sibling is { } s)
        {
            var at = new PciAddress(s.Bus, s.Slot, function, function == 0 ? true : null);
            set.Reserve(at, entry.Flags, entry.What);
            entry.Assigned = at;
            return;
        }
        var next = set.ReserveNext(entry.Flags, entry.What, function);
        entry.Assigned = next with { Multifunction = function == 0 ? true : null };
    }

    private PciConnect ControllerFlags(ControllerDevice c) => c.Type switch
    {
        "pci" => c.Model switch
        {
            "pcie-root-port" => PciConnect.PcieRootPort | PciConnect.AggregateSlot,
            "pcie-to-pci-bridge" => PciConnect.PcieToPciBridge,
            "pci-bridge" => PciConnect.PciBridge,
            "dmi-to-pci-bridge" => PciConnect.DmiToPciBridge,
            "pcie-switch-upstream-port" => PciConnect.PcieSwitchUpstreamPort,
            "pcie-switch-downstream-port" => PciConnect.PcieSwitchDownstreamPort,
            "pci-expander-bus" => PciConnect.PciExpanderBus,
            "pcie-expander-bus" => PciConnect.PcieExpanderBus,
            _ => PciConnect.None,
        },
        "usb" => c.Model switch
        {
            "none" => PciConnect.None,
            "qemu-xhci" or "nec-xhci" => _pcie,
            _ => _pci,
        },
        "scsi" => c.Model == "virtio-scsi" ? _pcie : _pci,
        "virtio-serial" => _pcie,
        "sata" or "ide" => _pci,
        _ => PciConnect.None,
    };

    private PciConnect NetFlags(InterfaceDevice nic) => (nic.Model ?? "rtl8139") switch
    {
        "virtio" => _pcie,
        "e1000e" => _pcie,
        _ => _pci,
    };

    private PciConnect VideoFlags(VideoDevice video) => video.ModelType switch
    {
        "none" or "ramfb" => PciConnect.None,
        "virtio" or "bochs" => _pcie,
        _ => _pci,
    };

    private void InsertController(ControllerDevice added)
    {
        var at = _controllers.FindLastIndex(c => c.Type == "pci" && c.Index < added.Index);
        _controllers.Insert(at < 0 ? _controllers.Count : at + 1, added);
    }

    /// <summary>The definition with every assigned address written in, multifunction set where a slot holds several, and the PCI controllers' chassis, port and QEMU model.</summary>
    private DomainDefinition Result(DomainDefinition def, PciAddressSet set, List<Entry> controllerEntries)
    {
        var d = def.Devices;
        var (fss, nets, sounds, disks, balloon, rngs, watchdog, videos, inputs, serials, panics) = _last;
        List<Entry> all = [.. controllerEntries, .. fss, .. nets, .. sounds, .. disks, .. rngs, .. videos, .. inputs, .. serials, .. panics];
        if (balloon is not null)
            all.Add(balloon);
        if (watchdog is not null)
            all.Add(watchdog);
        // As libvirt, the device at function 0 of a slot with several functions says multifunction, written or not.
        foreach (var entry in all)
        {
            if (entry.Address is { Function: 0, Multifunction: null } a && set.Buses[a.Bus].HasSeveralFunctions(a.Slot))
                entry.Assigned = a with { Multifunction = true };
        }

        DeviceAddress? Written(Entry e, DeviceAddress? original) => e.Assigned is { } a ? a.ToDeviceAddress() : original;
        var controllers = _controllers.Select((c, i) => PciOptions(c with { Address = Written(controllerEntries[i], c.Address) }, controllerEntries[i].Address)).ToList();
        return def with
        {
            Devices = d with
            {
                Controllers = controllers,
                Filesystems = [.. d.Filesystems.Select((f, i) => f with { Address = Written(fss[i], f.Address) })],
                Interfaces = [.. d.Interfaces.Select((n, i) => n with { Address = Written(nets[i], n.Address) })],
                Sounds = [.. d.Sounds.Select((x, i) => x with { Address = Written(sounds[i], x.Address) })],
                Disks = [.. d.Disks.Select((k, i) => k with { Address = Written(disks[i], k.Address) })],
                Memballoon = d.Memballoon is { } m && balloon is not null ? m with { Address = Written(balloon, m.Address) } : d.Memballoon,
                Rngs = [.. d.Rngs.Select((r, i) => r with { Address = Written(rngs[i], r.Address) })],
                Watchdog = d.Watchdog is { } w && watchdog is not null ? w with { Address = Written(watchdog, w.Address) } : d.Watchdog,
                Videos = [.. d.Videos.Select((v, i) => v with { Address = Written(videos[i], v.Address) })],
                Inputs = [.. d.Inputs.Select((v, i) => v with { Address = Written(inputs[i], v.Address) })],
                Serials = [.. d.Serials.Select((s, i) => s with { Address = Written(serials[i], s.Address) })],
                Panics = [.. d.Panics.Select((p, i) => p with { Address = Written(panics[i], p.Address) })],
            },
        };
    }

    /// <summary>libvirt's defaults for a PCI controller: its QEMU model, a root port's chassis (its index) and port (slot * 8 + function).</summary>
    private static ControllerDevice PciOptions(ControllerDevice c, PciAddress? at)
    {
        if (c.Type != "pci" || c.Model is null or "pci-root" or "pcie-root")
            return c;
        var pci = c.Pci ?? new PciControllerTarget();
        pci = pci with
        {
            ModelName = pci.ModelName ?? c.Model switch
            {
                "pcie-root-port" => "pcie-root-port",
                "pci-bridge" => "pci-bridge",
                "pcie-to-pci-bridge" => "pcie-pci-bridge",
                "dmi-to-pci-bridge" => "i82801b11-bridge",
                "pcie-switch-upstream-port" => "x3130-upstream",
                "pcie-switch-downstream-port" => "xio3130-downstream",
                "pci-expander-bus" => "pxb",
                "pcie-expander-bus" => "pxb-pcie",
                _ => null,
            },
        };
        switch (c.Model)
        {
            case "pci-bridge":
                pci = pci with { ChassisNr = pci.ChassisNr ?? c.Index };
                break;
            case "pcie-root-port" when at is { } a:
                pci = pci with { Chassis = pci.Chassis ?? c.Index, Port = pci.Port ?? (a.Slot << 3) + a.Function };
                break;
            case "pcie-switch-downstream-port" when at is { } a:
                pci = pci with { Chassis = pci.Chassis ?? c.Index, Port = pci.Port ?? a.Slot };
                break;
        }
        return c with { Pci = pci };
    }
}
