using System.Text;
using System.Xml.Linq;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.TestSupport;
using Virt.TestSupport.Fuzzing;
using Xunit.Abstractions;

namespace Virt.Protocol.Tests.Fuzz;

/// <summary>
/// Mutations of libvirt's conformance XML: the parser accepts a document (and then formats it stably) or refuses
/// it with a VirtException and a message; never another exception, never a hang.
/// </summary>
public sealed class DomainXmlFuzzTests(ITestOutputHelper output)
{
    private static readonly Lazy<IReadOnlyList<string>> Seeds = new(() =>
        ConformanceCorpus.Files(".xml", "xml2argv", "argv2xml", "xml2xml")
            .Select(File.ReadAllText)
            .ToList());

    private static bool IsRefusal(Exception e) => e is VirtException v && !string.IsNullOrWhiteSpace(v.Message);

    [Fact]
    public void Byte_level_mutations_of_conformance_xml_are_parsed_or_refused_with_a_message()
    {
        var result = FuzzLoop.Run("xml-bytes",
            random => Encoding.UTF8.GetString(Mutations.Bytes(random, Encoding.UTF8.GetBytes(Mutations.Pick(random, Seeds.Value)))),
            ParseAndReformat, IsRefusal, xml => xml);
        output.WriteLine(result.ToString());
        Assert.True(result.Iterations > 0);
    }

    [Fact]
    public void Structural_mutations_of_conformance_xml_are_parsed_or_refused_with_a_message()
    {
        var result = FuzzLoop.Run("xml-tree",
            random => XmlTreeMutations.Mutate(random, Mutations.Pick(random, Seeds.Value)),
            ParseAndReformat, IsRefusal, xml => xml);
        output.WriteLine(result.ToString());
        Assert.True(result.Iterations > 0);
    }

    [Fact]
    public void Deep_nesting_is_refused_with_the_element_and_its_line()
    {
        foreach (var depth in new[] { 200, 10_000, 80_000 })
        {
            var xml = "<domain type='qemu'>\n<name>deep</name><memory>1024</memory><devices>"
                + string.Concat(Enumerable.Repeat("<disk>", depth)) + string.Concat(Enumerable.Repeat("</disk>", depth))
                + "</devices></domain>";
            var error = Assert.Throws<DomainXmlException>(() => DomainXml.Parse(xml));
            Assert.Equal((ErrorCode.XmlError, 2, "disk"), (error.Code, error.Line, error.Element));
            Assert.Contains("nested more than", error.Message);
        }
    }

    /// <summary>Accepted documents must survive format -> parse -> format unchanged.</summary>
    private static bool ParseAndReformat(string xml)
    {
        var parsed = DomainXml.Parse(xml);
        var formatted = DomainXml.Format(parsed);
        var again = DomainXml.Format(DomainXml.Parse(formatted));
        if (again != formatted)
            throw new FuzzFailure($"format is not stable:\n{formatted}\n---\n{again}");
        return true;
    }
}

/// <summary>Tree edits a user or a tool could make by mistake: delete, duplicate, move, retype values, nest deeply.</summary>
internal static class XmlTreeMutations
{
    private static readonly string[] Names = ["disk", "source", "target", "driver", "devices", "os", "type", "name", "memory", "vcpu", "serial", "interface", "boot", "x"];

    public static string Mutate(Random random, string seed)
    {
        XDocument doc;
        try { doc = XDocument.Parse(seed, LoadOptions.PreserveWhitespace); }
        catch (System.Xml.XmlException) { return seed; }
        for (var i = 1 + random.Next(3); i > 0; i--)
        {
            var elements = doc.Descendants().ToList();
            var element = Mutations.Pick(random, elements);
            var attributes = element.Attributes().ToList();
            switch (random.Next(8))
            {
                case 0 when element.Parent is not null:
                    element.Remove();
                    break;
                case 1 when element.Parent is not null:
                    element.AddAfterSelf(new XElement(element));
                    break;
                case 2 when attributes.Count > 0:
                    Mutations.Pick(random, attributes).Remove();
                    break;
                case 3 when attributes.Count > 0:
                    Mutations.Pick(random, attributes).Value = XmlSafe(Mutations.Hostile(random));
                    break;
                case 4:
                    element.SetAttributeValue(Mutations.Pick(random, Names), XmlSafe(Mutations.Hostile(random)));
                    break;
                case 5 when !element.HasElements:
                    element.Value = XmlSafe(Mutations.Hostile(random));
                    break;
                case 6:
                    var nested = new XElement(Mutations.Pick(random, Names));
                    var innermost = nested;
                    for (var d = random.Next(1, 200); d > 0; d--)
                    {
                        var child = new XElement(Mutations.Pick(random, Names));
                        innermost.Add(child);
                        innermost = child;
                    }
                    element.Add(nested);
                    break;
                default:
                    var other = Mutations.Pick(random, elements);
                    if (other.Parent is not null && !other.DescendantsAndSelf().Contains(element))
                        element.Add(new XElement(other));
                    break;
            }
        }
        return doc.ToString(SaveOptions.DisableFormatting);
    }

    /// <summary>XML cannot carry some characters at all; byte mutations cover those, tree edits keep to the rest.</summary>
    private static string XmlSafe(string value) => new([.. value.Where(System.Xml.XmlConvert.IsXmlChar)]);
}
