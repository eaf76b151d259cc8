using System.Xml.Linq;
using Virt.Protocol.Domains;
using Virt.TestSupport;

namespace Virt.Protocol.Tests.Domains;

/// <summary>What virt-install writes beyond the basics: clock timers, &lt;pm&gt;, and controllers without index=.</summary>
public sealed class ClockPmAndControllerTests
{
    private static string Doc(string afterLifecycle = "", string clock = "  <clock offset='utc'/>\n", string devices = "") =>
        DomainDocs.Minimal(devices).Replace("  <clock offset='utc'/>\n", clock).Replace("  <devices>\n", afterLifecycle + "  <devices>\n");

    [Fact]
    public void Timers_and_pm_read_into_the_model_and_format_back_to_the_same_bytes()
    {
        const string clock = "  <clock offset='utc'>\n    <timer name='rtc' tickpolicy='catchup' track='guest'/>\n    <timer name='pit' tickpolicy='delay'/>\n"
            + "    <timer name='hpet' present='no'/>\n    <timer name='kvmclock' present='yes'/>\n    <timer name='tsc' frequency='4567890000'/>\n  </clock>\n";
        const string pm = "  <pm>\n    <suspend-to-mem enabled='no'/>\n    <suspend-to-disk enabled='yes'/>\n  </pm>\n";
        var xml = Doc(pm, clock);
        var parsed = DomainXml.Parse(xml);

        Assert.Equal(["rtc", "pit", "hpet", "kvmclock", "tsc"], parsed.Clock.Timers.Select(t => t.Name));
        Assert.Equal(new ClockTimer { Name = "rtc", TickPolicy = "catchup", Track = "guest" }, parsed.Clock.Timers[0]);
        Assert.False(parsed.Clock.Timers[2].Present);
        Assert.Equal(4567890000UL, parsed.Clock.Timers[4].Frequency);
        Assert.Equal(new PowerManagement { SuspendToMem = false, SuspendToDisk = true }, parsed.Pm);
        Assert.Equal(xml, DomainXml.Format(parsed));
        ModelAssert.Equivalent(parsed, DomainXml.Parse(DomainXml.Format(parsed)));
    }

    [Theory]
    [InlineData("<timer name='rtc'/><timer name='rtc'/>", "more than one <timer name='rtc'>")]
    [InlineData("<timer name='sundial'/>", "sundial")]
    [InlineData("<timer name='platform'/>", "timer 'platform'")]
    [InlineData("<timer name='pit' track='wall'/>", "only the rtc timer has a 'track'")]
    [InlineData("<timer name='rtc' frequency='10'/>", "only the tsc timer has a 'frequency'")]
    [InlineData("<timer name='tsc' frequency='fast'/>", "invalid frequency 'fast'")]
    [InlineData("<timer name='tsc' mode='native'/>", "is for Xen")]
    [InlineData("<timer name='rtc' tickpolicy='catchup'><catchup threshold='123'/></timer>", "is for Xen")]
    [InlineData("<timer name='hpet' present='maybe'/>", "maybe")]
    public void A_timer_qemu_cannot_have_is_refused_naming_it(string timers, string reason)
    {
        var e = Assert.Throws<DomainXmlException>(() => DomainXml.Parse(Doc(clock: $"  <clock offset='utc'>{timers}</clock>\n")));
        Assert.Contains(reason, e.Message);
        Assert.NotNull(e.Line);
    }

    [Fact]
    public void Pm_refuses_what_it_does_not_know()
    {
        var e = Assert.Throws<DomainXmlException>(() => DomainXml.Parse(Doc("  <pm>\n    <suspend-to-ram enabled='no'/>\n  </pm>\n")));
        Assert.Contains("suspend-to-ram", e.Message);
    }

    [Fact]
    public void Usb2_companions_join_the_ehci_before_them_and_get_libvirts_start_ports()
    {
        const string devices = "<controller type='usb' model='ich9-ehci1'/>\n<controller type='usb' model='ich9-uhci1'/>\n"
            + "<controller type='usb' model='ich9-uhci2'>\n  <master startport='2'/>\n</controller>\n<controller type='usb' model='ich9-uhci3'/>\n"
            + "<controller type='sata'/>\n<controller type='usb' index='0' model='ich9-ehci1'/>";
        // The written index 0 is taken before any is given: the set goes to index 1.
        var controllers = DomainXml.Parse(Doc(devices: devices)).Devices.Controllers;
        Assert.Equal([("usb", 1, null), ("usb", 1, 0), ("usb", 1, 2), ("usb", 1, 4), ("sata", 0, null), ("usb", 0, null)],
            controllers.Select(c => (c.Type, c.Index, c.MasterStartPort)));
        Assert.Contains("<controller type='usb' index='1' model='ich9-uhci1'>\n      <master startport='0'/>\n    </controller>", DomainXml.Format(DomainXml.Parse(Doc(devices: devices))));

        var e = Assert.Throws<DomainXmlException>(() => DomainXml.Parse(Doc(devices: "<controller type='usb' index='0' model='nec-xhci'/>\n<controller type='usb' model='qemu-xhci' index='0'/>")));
        Assert.Contains("Duplicate USB controllers with index 0", e.Message);
    }

    [Fact]
    public void A_master_on_anything_but_a_companion_is_refused()
    {
        var e = Assert.Throws<DomainXmlException>(() => DomainXml.Parse(Doc(devices: "<controller type='usb' model='ich9-ehci1'>\n  <master startport='0'/>\n</controller>")));
        Assert.Contains("only a USB companion controller", e.Message);
    }

    /// <summary>libvirt's own autoindex case: every controller written without index=, and the indexes libvirt's output gives them.</summary>
    [Fact]
    public void Indexes_are_given_as_libvirt_gives_them_in_its_autoindex_case()
    {
        var ours = DomainXml.Parse(ConformanceCorpus.Read("qemuxmlconf", "autoindex.xml")).Devices.Controllers
            .Select(c => (c.Type, c.Model, c.Index, c.MasterStartPort)).Order().ToList();
        var theirs = XDocument.Load(Path.Combine(ConformanceCorpus.Suite("qemuxmlconf"), "autoindex.out.xml")).Root!.Element("devices")!.Elements("controller")
            .Where(c => ours.Any(o => o.Type == (string)c.Attribute("type")!)) // libvirt adds controllers of its own (ide, sata, pci)
            .Select(c => ((string)c.Attribute("type")!, (string?)c.Attribute("model"), (int)c.Attribute("index")!, (int?)c.Element("master")?.Attribute("startport")))
            .Order().ToList();
        Assert.Equal(theirs.Where(t => t.Item1 == "usb"), ours.Where(o => o.Type == "usb"));
        Assert.Equal(theirs.Where(t => t.Item1 == "pci"), ours.Where(o => o.Type == "pci"));
    }

    [Fact]
    public void An_index_after_one_written_higher_takes_the_lowest_unused()
    {
        var controllers = DomainXml.Parse(Doc(devices: "<controller type='scsi' index='1'/>\n<controller type='scsi'/>\n<controller type='scsi'/>")).Devices.Controllers;
        Assert.Equal([1, 0, 2], controllers.Select(c => c.Index));
    }
}
