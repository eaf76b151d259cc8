using System.Xml.Linq;
using Virt.Supervisor.Capabilities;
using Virt.Supervisor.Host;

namespace Virt.Host.Libvirt.Capabilities;

/// <summary>
/// virConnectGetCapabilities' document (libvirt's formatcaps): the host (its UUID, CPU topology, memory, no security
/// model) and the one guest Virt runs, hvm on the probed emulator with its machine types and the domain types it
/// can accelerate (qemu always, kvm where /dev/kvm works).
/// </summary>
public static class HostCapabilitiesXml
{
    public static string Build(QemuCapabilities qemu, NodeInfo node, string hostUuid)
    {
        var cpus = new XElement("cpus", new XAttribute("num", node.Cpus));
        for (var i = 0; i < node.Cpus; i++)
        {
            cpus.Add(new XElement("cpu", new XAttribute("id", i), new XAttribute("socket_id", i / Math.Max(1, node.Cores * node.Threads)),
                new XAttribute("die_id", 0), new XAttribute("core_id", i / Math.Max(1, node.Threads) % Math.Max(1, node.Cores)),
                new XAttribute("siblings", i)));
        }
        var host = new XElement("host",
            new XElement("uuid", hostUuid),
            new XElement("cpu",
                new XElement("arch", node.Model),
                new XElement("topology", new XAttribute("sockets", node.Sockets * node.Nodes), new XAttribute("dies", 1),
                    new XAttribute("cores", node.Cores), new XAttribute("threads", node.Threads))),
            new XElement("power_management"),
            new XElement("iommu", new XAttribute("support", "no")),
            new XElement("topology",
                new XElement("cells", new XAttribute("num", 1),
                    new XElement("cell", new XAttribute("id", 0),
                        new XElement("memory", new XAttribute("unit", "KiB"), node.MemoryKiB),
                        cpus))),
            new XElement("secmodel", new XElement("model", "none"), new XElement("doi", "0")));

        var arch = new XElement("arch", new XAttribute("name", node.Model),
            new XElement("wordsize", 64),
            new XElement("emulator", qemu.EmulatorPath));
        // The default machine first, as libvirt lists it: virt-install takes the first as a guest's machine.
        foreach (var machine in qemu.Machines.OrderByDescending(m => m.IsDefault))
        {
            arch.Add(Machine(machine.Name, null, machine));
            if (machine.Alias is { } alias)
                arch.Add(Machine(alias, machine.Name, machine));
        }
        arch.Add(new XElement("domain", new XAttribute("type", "qemu")));
        if (qemu.KvmEnabled)
            arch.Add(new XElement("domain", new XAttribute("type", "kvm")));

        var guest = new XElement("guest",
            new XElement("os_type", "hvm"),
            arch,
            new XElement("features",
                new XElement("acpi", new XAttribute("default", "on"), new XAttribute("toggle", "yes")),
                new XElement("apic", new XAttribute("default", "on"), new XAttribute("toggle", "no")),
                new XElement("cpuselection"),
                new XElement("deviceboot"),
                new XElement("disksnapshot", new XAttribute("default", "on"), new XAttribute("toggle", "no"))));
        return new XElement("capabilities", host, guest).ToString() + "\n";
    }

    private static XElement Machine(string name, string? canonical, MachineType machine)
    {
        var element = new XElement("machine");
        if (canonical is not null)
            element.Add(new XAttribute("canonical", canonical));
        element.Add(new XAttribute("maxCpus", machine.MaxCpus));
        if (machine.Deprecated)
            element.Add(new XAttribute("deprecated", "yes"));
        element.Add(name);
        return element;
    }

    /// <summary>The host's UUID as libvirt takes it when it can: the machine id, in UUID form.</summary>
    public static string HostUuid()
    {
        try
        {
            var id = File.ReadAllText("/etc/machine-id").Trim();
            if (Guid.TryParseExact(id, "N", out var uuid))
                return uuid.ToString("D");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        return Guid.Empty.ToString("D");
    }
}
