using Virt.Protocol.Domains;

namespace Virt.Supervisor.Layout;

/// <summary>
/// A MAC for each interface written without one, kept in the definition as libvirt keeps the one it generates, so the
/// guest's NIC and the host's tap keep their addresses across starts. Derived from the UUID: the same domain gets the
/// same addresses however often it is defined.
/// </summary>
public static class InterfaceMacs
{
    public static DomainDefinition Apply(DomainDefinition def)
    {
        var nics = def.Devices.Interfaces;
        if (nics.All(n => n.Mac is not null))
            return def;
        var assigned = nics.Select((nic, i) => nic.Mac is null ? nic with { Mac = Derived(def.Uuid, i) } : nic).ToList();
        return def with { Devices = def.Devices with { Interfaces = assigned } };
    }

    /// <summary>In QEMU's 52:54:00 range.</summary>
    public static string Derived(Guid uuid, int index)
    {
        var bytes = uuid.ToByteArray();
        return $"52:54:00:{bytes[13]:x2}:{bytes[14]:x2}:{(byte)(bytes[15] + index):x2}";
    }
}
