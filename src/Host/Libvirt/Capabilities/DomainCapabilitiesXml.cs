using System.Xml.Linq;
using Virt.Protocol.Errors;
using Virt.Supervisor.Capabilities;

namespace Virt.Host.Libvirt.Capabilities;

/// <summary>
/// virConnectGetDomainCapabilities' document: for one emulator, machine and domain type, what a definition may use.
/// The device enums are what Virt's domain parser and argv builder accept; the CPU models are the probe's.
/// </summary>
public static class DomainCapabilitiesXml
{
    public static string Build(QemuCapabilities qemu, string? arch, string? machine, string? virtType)
    {
        if (arch is not null && arch != "x86_64")
            throw new VirtException(ErrorCode.ConfigUnsupported, $"emulator '{qemu.EmulatorPath}' does not support arch '{arch}'");
        var type = virtType ?? (qemu.KvmEnabled ? "kvm" : "qemu");
        if (type is not ("qemu" or "kvm"))
            throw new VirtException(ErrorCode.ConfigUnsupported, $"unknown virttype: {type}");
        if (type == "kvm" && !qemu.KvmEnabled)
            throw new VirtException(ErrorCode.ConfigUnsupported, $"KVM is not supported by '{qemu.EmulatorPath}' on this host");
        var chosen = machine is null ? qemu.DefaultMachine : qemu.FindMachine(machine);
        if (chosen is null)
            throw new VirtException(ErrorCode.ConfigUnsupported, $"the machine '{machine}' is not supported by emulator '{qemu.EmulatorPath}'");

        var custom = new XElement("mode", new XAttribute("name", "custom"), new XAttribute("supported", "yes"));
        foreach (var model in qemu.CpuModels)
        {
            custom.Add(new XElement("model", new XAttribute("usable", model.Usable ? "yes" : "no"),
                new XAttribute("deprecated", model.Deprecated ? "yes" : "no"), new XAttribute("vendor", "unknown"), model.Name));
        }
        var document = new XElement("domainCapabilities",
            new XElement("path", qemu.EmulatorPath),
            new XElement("domain", type),
            new XElement("machine", chosen.Name),
            new XElement("arch", "x86_64"),
            new XElement("vcpu", new XAttribute("max", chosen.MaxCpus)),
            new XElement("iothreads", new XAttribute("supported", "no")),
            Os(Supervisor.Firmware.FirmwareCatalog.System, chosen.Name),
            new XElement("cpu",
                new XElement("mode", new XAttribute("name", "host-passthrough"), new XAttribute("supported", type == "kvm" ? "yes" : "no")),
                new XElement("mode", new XAttribute("name", "maximum"), new XAttribute("supported", "yes")),
                new XElement("mode", new XAttribute("name", "host-model"), new XAttribute("supported", "no")),
                custom),
            Unsupported("memoryBacking"),
            new XElement("devices",
                Supported("disk", Enum("diskDevice", "disk", "cdrom", "floppy"), Enum("bus", "ide", "fdc", "scsi", "virtio", "usb", "sata"),
                    Enum("model", "virtio")),
                Supported("graphics", Enum("type", "vnc", "spice")),
                Supported("video", Enum("modelType", "vga", "cirrus", "virtio", "qxl", "bochs", "ramfb", "none")),
                Unsupported("hostdev"),
                Supported("rng", Enum("model", "virtio"), Enum("backendModel", "random", "builtin")),
                Supported("filesystem", Enum("driverType", "path")),
                // An emulated TPM needs swtpm on this host.
                Virt.Supervisor.Processes.ExecutablePath.Find(Virt.Supervisor.Tpm.Swtpm.Program) is null
                    ? Unsupported("tpm")
                    : Supported("tpm", Enum("model", "tpm-tis", "tpm-crb"), Enum("backendModel", "emulator"), Enum("backendVersion", "1.2", "2.0")),
                Supported("redirdev", Enum("bus", "usb")),
                Supported("channel", Enum("type", "pty", "unix", "spicevmc")),
                Unsupported("crypto")),
            new XElement("features",
                Unsupported("gic"),
                Unsupported("vmcoreinfo"),
                Unsupported("genid"),
                Unsupported("backingStoreInput"),
                Unsupported("backup"),
                Unsupported("sev"),
                Unsupported("sgx")));
        return document.ToString() + "\n";
    }

    private static XElement Supported(string name, params object[] content) =>
        new(name, new XAttribute("supported", "yes"), content);

    private static XElement Unsupported(string name) => new(name, new XAttribute("supported", "no"));

    private static XElement Enum(string name, params string[] values) =>
        new("enum", new XAttribute("name", name), values.Select(v => new XElement("value", v)));

    /// <summary>
    /// UEFI as the host's firmware descriptors offer it for the machine: firmware='efi' and the loaders to choose
    /// from (virt-install enables --boot uefi when it sees them); a host without descriptors offers none.
    /// </summary>
    private static XElement Os(Supervisor.Firmware.FirmwareCatalog catalog, string machine)
    {
        var loaders = catalog.Descriptors.Where(d => d.InterfaceTypes.Contains("uefi") && d.Device == "flash" && d.Runs("x86_64", machine))
            .Select(d => d.Executable).OfType<string>().Distinct().ToList();
        if (loaders.Count == 0)
            return new XElement("os", new XAttribute("supported", "yes"), new XElement("enum", new XAttribute("name", "firmware")), Unsupported("loader"));
        return new XElement("os", new XAttribute("supported", "yes"),
            Enum("firmware", "efi"),
            new XElement("loader", new XAttribute("supported", "yes"),
                loaders.Select(l => new XElement("value", l)),
                Enum("type", "rom", "pflash"),
                Enum("readonly", "yes", "no"),
                Enum("secure", "no", "yes")));
    }
}
