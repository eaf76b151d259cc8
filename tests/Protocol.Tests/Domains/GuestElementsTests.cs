using Virt.Protocol.Domains;

namespace Virt.Protocol.Tests.Domains;

/// <summary>Domain-level elements virt-install writes: &lt;metadata&gt;, feature switches, CPU topology, the boot menu.</summary>
public sealed class GuestElementsTests
{
    [Fact]
    public void Metadata_is_kept_as_written_with_its_namespace_and_prefix()
    {
        const string metadata = "<metadata>\n<libosinfo:libosinfo xmlns:libosinfo='http://libosinfo.org/xmlns/libvirt/domain/1.0'>\n"
            + "<libosinfo:os id='http://debian.org/debian/11'/>\n</libosinfo:libosinfo>\n<app xmlns='urn:example'><note level='2'>hello &amp; bye</note></app>\n</metadata>\n";
        var xml = DomainDocs.Minimal().Replace("  <memory", metadata + "  <memory");
        var parsed = DomainXml.Parse(xml);
        Assert.Equal(2, parsed.Metadata.Count);
        Assert.Equal(("libosinfo", "libosinfo", "http://libosinfo.org/xmlns/libvirt/domain/1.0"), (parsed.Metadata[0].Prefix, parsed.Metadata[0].Name, parsed.Metadata[0].Namespace));
        Assert.Equal("http://debian.org/debian/11", parsed.Metadata[0].Children[0].Attributes.Single().Value);
        Assert.Equal("hello & bye", parsed.Metadata[1].Children[0].Text);

        var formatted = DomainXml.Format(parsed);
        Assert.Contains("  <metadata>\n    <libosinfo:libosinfo xmlns:libosinfo='http://libosinfo.org/xmlns/libvirt/domain/1.0'>\n      <libosinfo:os id='http://debian.org/debian/11'/>\n", formatted);
        Assert.Contains("<note level='2'>hello &amp; bye</note>", formatted);
        Assert.Equal(parsed.Metadata, DomainXml.Parse(formatted).Metadata);
        Assert.Equal(formatted, DomainXml.Format(DomainXml.Parse(formatted)));
    }

    [Fact]
    public void Metadata_without_a_namespace_is_refused_naming_the_element()
    {
        var e = Assert.Throws<DomainXmlException>(() => DomainXml.Parse(DomainDocs.Minimal().Replace("  <memory", "<metadata><plain/></metadata>\n  <memory")));
        Assert.Contains("<plain>", e.Message);
    }

    [Fact]
    public void Feature_switches_topology_and_boot_menu_read_and_format_back()
    {
        var xml = DomainDocs.Minimal(os: "    <type arch='x86_64' machine='q35'>hvm</type>\n    <bootmenu enable='yes' timeout='3000'/>\n",
            afterOs: "  <features>\n    <acpi/>\n    <vmport state='off'/>\n    <smm state='on'/>\n    <vmcoreinfo state='on'/>\n  </features>\n"
                + "  <cpu>\n    <topology sockets='1' dies='1' clusters='1' cores='1' threads='1'/>\n  </cpu>\n");
        var parsed = DomainXml.Parse(xml);
        Assert.Equal((false, true, true), (parsed.Features.Vmport, parsed.Features.Smm, parsed.Features.VmCoreInfo));
        Assert.Equal(new CpuTopology(1, 1, 1, 1, 1), parsed.Cpu!.Topology);
        Assert.Equal((true, 3000), (parsed.Os.BootMenu, parsed.Os.BootMenuTimeout));
        Assert.Equal(xml, DomainXml.Format(parsed));
    }

    [Fact]
    public void A_topology_that_does_not_add_up_to_the_vcpus_is_refused()
    {
        var xml = DomainDocs.Minimal(afterOs: "  <cpu>\n    <topology sockets='2' cores='2' threads='1'/>\n  </cpu>\n");
        var e = Assert.Throws<DomainXmlException>(() => DomainXml.Parse(xml));
        Assert.Contains("CPU topology doesn't match maximum vcpu count", e.Message);
    }
}
