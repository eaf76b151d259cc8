using System.Text.RegularExpressions;
using System.Xml.Linq;
using System.Xml.XPath;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.TestSupport;

namespace Virt.Protocol.Tests.Domains;

public partial class ConformanceTests
{
    public static TheoryData<string> XmlToXml => ConformanceCorpus.Cases("xml2xml", ".in.xml");

    /// <summary>xml2argv cases libvirt expects to fail: they have a .err file.</summary>
    public static TheoryData<string> XmlToArgvErrors => ConformanceCorpus.Cases("xml2argv", ".err");

    public static TheoryData<string> XmlToArgvValid =>
        ConformanceCorpus.Cases("xml2argv", ".xml", name => !File.Exists(Path.Combine(ConformanceCorpus.Suite("xml2argv"), name + ".err")));

    public static TheoryData<string> ArgvToXml => ConformanceCorpus.Cases("argv2xml", ".xml");

    [Theory]
    [MemberData(nameof(XmlToXml))]
    public void Xml2xml_input_formats_byte_stably_and_keeps_its_meaning(string name)
    {
        var input = ConformanceCorpus.Read("xml2xml", name + ".in.xml");
        var parsed = DomainXml.Parse(input);
        var formatted = DomainXml.Format(parsed);
        var reparsed = DomainXml.Parse(formatted);

        Assert.Equal(formatted, DomainXml.Format(reparsed));
        ModelAssert.Equivalent(parsed, reparsed);
    }

    [Theory]
    [MemberData(nameof(XmlToXml))]
    public void Xml2xml_output_agrees_with_libvirt_on_what_the_input_said(string name)
    {
        var ours = XDocument.Parse(DomainXml.Format(DomainXml.Parse(ConformanceCorpus.Read("xml2xml", name + ".in.xml"))));
        var theirs = XDocument.Parse(ConformanceCorpus.Read("xml2xml", name + ".out.xml"));

        // libvirt adds defaults (cpu model, controller models, audio, addresses); every element we
        // write must be in libvirt's output with the same attributes and text.
        foreach (var element in ours.Root!.DescendantsAndSelf().Where(e => !e.HasElements))
        {
            var path = PathOf(element);
            var match = theirs.XPathSelectElements(path).FirstOrDefault(candidate => SameLeaf(element, candidate));
            Assert.True(match is not null, $"{name}: libvirt's output has no {element} at {path}");
        }
        // Element order among the children of <domain> and <devices> follows libvirt's.
        AssertSameOrder(ours.Root!, theirs.Root!);
        AssertSameOrder(ours.Root!.Element("devices")!, theirs.Root!.Element("devices")!);
    }

    [Theory]
    [MemberData(nameof(XmlToArgvValid))]
    public void Xml2argv_case_parses_and_round_trips(string name)
    {
        var parsed = DomainXml.Parse(ConformanceCorpus.Read("xml2argv", name + ".xml"));
        var formatted = DomainXml.Format(parsed);
        Assert.Equal(formatted, DomainXml.Format(DomainXml.Parse(formatted)));
        ModelAssert.Equivalent(parsed, DomainXml.Parse(formatted));
    }

    [Theory]
    [MemberData(nameof(ArgvToXml))]
    public void Argv2xml_expected_definition_parses_and_round_trips(string name)
    {
        var parsed = DomainXml.Parse(ConformanceCorpus.Read("argv2xml", name + ".xml"));
        var formatted = DomainXml.Format(parsed);
        Assert.Equal(formatted, DomainXml.Format(DomainXml.Parse(formatted)));
    }

    [Theory]
    [MemberData(nameof(XmlToArgvErrors))]
    public void Xml2argv_error_case_is_refused_naming_the_offending_thing(string name)
    {
        var expected = ConformanceCorpus.Read("xml2argv", name + ".err");
        var error = Assert.Throws<DomainXmlException>(() => DomainXml.Parse(ConformanceCorpus.Read("xml2argv", name + ".xml")));

        var code = expected.StartsWith("unsupported configuration:", StringComparison.Ordinal) ? ErrorCode.ConfigUnsupported : ErrorCode.XmlError;
        Assert.Equal(code, error.Code);
        // Whatever libvirt quotes ('hdaxxxxxxxxxx', 'alpha', <memory>) our message must name too.
        foreach (Match quoted in QuotedOrTag().Matches(expected.Split('\n')[0]))
        {
            var thing = quoted.Groups[1].Success ? quoted.Groups[1].Value : quoted.Groups[2].Value;
            if (!thing.Contains('/'))
                Assert.Contains(thing, error.Message);
        }
        // libvirt reports malformed XML with line numbers (where the error was seen, where the tag
        // began); ours must be one of them.
        var lines = LineNumber().Matches(expected).Select(m => int.Parse(m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value)).ToList();
        if (lines.Count > 0)
            Assert.Contains(error.Line ?? -1, lines);
    }

    private static string PathOf(XElement e) =>
        string.Join("/", e.AncestorsAndSelf().Reverse().Select(a => a.Name.LocalName)).Insert(0, "/");

    private static bool SameLeaf(XElement ours, XElement theirs) =>
        ours.Value == theirs.Value
        && ours.Attributes().All(a => theirs.Attribute(a.Name)?.Value == a.Value)
        && (ours.Parent is null || theirs.Parent is null || ours.Parent.Attributes().All(a => theirs.Parent.Attribute(a.Name)?.Value == a.Value));

    private static void AssertSameOrder(XElement ours, XElement theirs)
    {
        var theirOrder = theirs.Elements().Select(e => e.Name.LocalName).Distinct().ToList();
        var ourOrder = ours.Elements().Select(e => e.Name.LocalName).Distinct().ToList();
        var positions = ourOrder.Select(n => theirOrder.IndexOf(n)).ToList();
        Assert.DoesNotContain(-1, positions);
        Assert.Equal(positions.Order().ToList(), positions);
    }

    [GeneratedRegex("'([^']+)'|<([a-zA-Z_]+)>")]
    private static partial Regex QuotedOrTag();

    [GeneratedRegex(@":(\d+): |\bline (\d+)")]
    private static partial Regex LineNumber();
}
