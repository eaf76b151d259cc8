using Virt.Protocol.Domains;
using Virt.Protocol.Errors;

namespace Virt.Protocol.Tests.Domains;

/// <summary>&lt;seclabel&gt;: the labels that ask for what Virt does are kept; those it cannot apply are refused by line.</summary>
public sealed class SecurityLabelTests
{
    private static string WithLabels(string labels) =>
        DomainDocs.Minimal().Replace("  </devices>\n", "  </devices>\n" + labels);

    [Theory]
    [InlineData("  <seclabel type='none' model='dac'/>\n")]
    [InlineData("  <seclabel type='none'/>\n")]
    [InlineData("  <seclabel type='dynamic' model='dac' relabel='yes'/>\n")]
    [InlineData("  <seclabel type='dynamic' model='dac' relabel='yes'>\n    <label>+64055:+64055</label>\n    <imagelabel>+64055:+64055</imagelabel>\n  </seclabel>\n")]
    public void Labels_virt_applies_are_kept_as_written(string labels)
    {
        var xml = WithLabels(labels);
        Assert.Equal(xml, DomainXml.Format(DomainXml.Parse(xml)));
    }

    [Theory]
    [InlineData("<seclabel type='dynamic' model='selinux' relabel='yes'/>", "no selinux security driver")]
    [InlineData("<seclabel type='dynamic' model='apparmor'/>", "no apparmor security driver")]
    [InlineData("<seclabel type='static' model='dac' relabel='no'><label>+1000:+1000</label></seclabel>", "a static label (QEMU as user '+1000:+1000')")]
    public void Labels_virt_cannot_apply_are_refused_with_their_line(string label, string reason)
    {
        var e = Assert.Throws<DomainXmlException>(() => DomainXml.Parse(WithLabels("  " + label + "\n")));
        Assert.Equal(ErrorCode.ConfigUnsupported, e.Code);
        Assert.StartsWith("unsupported configuration: <seclabel> at line ", e.Message);
        Assert.Contains(reason, e.Message);
        Assert.NotNull(e.Line);
    }
}
