using Virt.Protocol.Domains;

namespace Virt.TestSupport;

/// <summary>Small valid domain documents (no devices) for registry, config-store and connection tests.</summary>
public static class SmallDomains
{
    public static string Xml(string name, Guid uuid, int memoryMiB = 64) => $"""
        <domain type='qemu'>
          <name>{name}</name>
          <uuid>{uuid:D}</uuid>
          <memory unit='MiB'>{memoryMiB}</memory>
          <vcpu>1</vcpu>
          <os>
            <type arch='x86_64' machine='pc'>hvm</type>
          </os>
        </domain>
        """;

    public static DomainDefinition Definition(string name, Guid? uuid = null, int memoryMiB = 64) =>
        DomainXml.Parse(Xml(name, uuid ?? Guid.NewGuid(), memoryMiB));
}
