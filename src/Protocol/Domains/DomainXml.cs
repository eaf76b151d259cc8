using System.Text;
using Virt.Protocol.Domains.Xml;
using Virt.Protocol.Errors;

namespace Virt.Protocol.Domains;

/// <summary>libvirt domain XML in and out: parse (with validation) and format in libvirt's layout.</summary>
public static class DomainXml
{
    /// <summary>Documents larger than this are refused before parsing.</summary>
    public const int MaxDocumentBytes = SecureXmlLoader.MaxBytes;

    /// <summary>Parses and validates a document; throws <see cref="DomainXmlException"/> naming what is wrong and where.</summary>
    public static DomainDefinition Parse(string xml) => Parse(xml, out _);

    /// <summary>The name a document defines, and its UUID when it writes one (a define without one gets a fresh UUID).</summary>
    public static (string Name, Guid? Uuid) ParseIdentity(string xml)
    {
        var definition = Parse(xml, out var uuidWritten);
        return (definition.Name, uuidWritten ? definition.Uuid : null);
    }

    private static DomainDefinition Parse(string xml, out bool uuidWritten)
    {
        ArgumentNullException.ThrowIfNull(xml);
        var document = SecureXmlLoader.Load(xml);
        var parser = new DomainParser();
        var definition = parser.Parse(document);
        DomainValidator.Validate(definition, parser.Lines);
        uuidWritten = parser.UuidWritten;
        return definition;
    }

    /// <summary>
    /// Parses a config file found on disk. One written by hand without a UUID gets one made from its name, so every
    /// scan gives it the same and a restarted daemon finds its running QEMU again (a random one orphaned it).
    /// </summary>
    public static DomainDefinition ParseStoredConfig(string xml)
    {
        var definition = Parse(xml, out var uuidWritten);
        return uuidWritten ? definition : definition with { Uuid = NameBasedUuid(definition.Name) };
    }

    /// <summary>A version-5 style UUID from SHA-1 of the name in Virt's own namespace string.</summary>
    internal static Guid NameBasedUuid(string name)
    {
        var hash = System.Security.Cryptography.SHA1.HashData(Encoding.UTF8.GetBytes("virt-domain-config:" + name));
        var bytes = hash.AsSpan(0, 16).ToArray();
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x50);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }

    /// <summary>
    /// Parses a document a client defines or creates. It is also refused when the XML stored for it (our layout, with
    /// &gt; and &quot; written as entities) would exceed the limit: the next start could not load it, and an
    /// acknowledged define must never be lost.
    /// </summary>
    public static DomainDefinition ParseToStore(string xml)
    {
        var definition = Parse(xml);
        var stored = Encoding.UTF8.GetByteCount(Format(definition));
        if (stored > MaxDocumentBytes)
            throw new DomainXmlException(ErrorCode.XmlError,
                $"XML error: the domain would be stored as {stored} bytes of XML (characters such as > and \" are written as entities), " +
                $"more than the limit of {MaxDocumentBytes} bytes (1 MiB)");
        return definition;
    }

    /// <summary>Reads at most <see cref="MaxDocumentBytes"/> of UTF-8 from the stream, then parses it.</summary>
    public static DomainDefinition Parse(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        // Grown as needed up to one byte past the cap: a 2 KB document should not cost a 1 MiB buffer.
        var buffer = new byte[16 * 1024];
        var length = 0;
        int read;
        while ((read = stream.Read(buffer, length, buffer.Length - length)) > 0)
        {
            length += read;
            if (length == buffer.Length)
            {
                if (length > MaxDocumentBytes)
                    break;
                Array.Resize(ref buffer, Math.Min(buffer.Length * 2, MaxDocumentBytes + 1));
            }
        }
        if (length > MaxDocumentBytes)
            throw new DomainXmlException(ErrorCode.XmlError, $"XML error: the document is larger than the limit of {MaxDocumentBytes} bytes (1 MiB)");
        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(buffer, 0, length);
        }
        catch (DecoderFallbackException e)
        {
            throw new DomainXmlException(ErrorCode.XmlError, $"XML error: the document is not valid UTF-8 (byte {e.Index})", inner: e);
        }
        return Parse(text.TrimStart('\uFEFF'));
    }

    /// <summary>One &lt;disk&gt; element on its own, as virsh's device verbs send it (attach-disk, update-device, change-media).</summary>
    public static DiskDevice ParseDisk(string xml) => ParseDevice(xml, "disk", (parser, node) => parser.ParseDisk(node));

    /// <summary>The element a device document holds (disk, interface), as the device verbs choose their rules by it.</summary>
    public static string DeviceElement(string xml)
    {
        ArgumentNullException.ThrowIfNull(xml);
        return SecureXmlLoader.Load(xml).LocalName;
    }

    /// <summary>One &lt;interface&gt; element on its own, as virsh's attach-interface and detach-interface send it.</summary>
    public static InterfaceDevice ParseInterface(string xml) => ParseDevice(xml, "interface", (parser, node) => parser.ParseInterface(node));

    private static T ParseDevice<T>(string xml, string element, Func<DeviceParser, XmlNode, T> parse)
    {
        ArgumentNullException.ThrowIfNull(xml);
        var root = SecureXmlLoader.Load(xml);
        if (!root.Is(element))
            throw new DomainXmlException(ErrorCode.ConfigUnsupported,
                $"unsupported configuration: the device <{root.LocalName}> cannot be attached, detached or updated; disks and interfaces can");
        return parse(new DeviceParser(new SourceLines()), new XmlNode(root));
    }

    /// <summary>One &lt;interface&gt; element on its own, in libvirt's layout.</summary>
    public static string FormatInterface(InterfaceDevice nic)
    {
        ArgumentNullException.ThrowIfNull(nic);
        var x = new XmlBuilder();
        DeviceFormatter.FormatInterface(x, nic);
        return x.ToString();
    }

    public static DomainDefinition ParseFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Parse(stream);
    }

    /// <summary>
    /// libvirt's layout: two-space indent, single-quoted attributes, libvirt's element order, a final newline. A running
    /// domain's live XML carries its id (&lt;domain type='qemu' id='3'&gt;), as libvirt's does; a parse ignores it.
    /// </summary>
    /// <param name="secure">With the display passwords (libvirt's VIR_DOMAIN_XML_SECURE): the stored config and the
    /// status file have them; a client sees them only when it asks, on a read-write connection.</param>
    public static string Format(DomainDefinition definition, int? runningId = null, bool secure = false)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (!secure && definition.Devices.Graphics.Any(g => g.Password is not null))
            definition = definition with
            {
                Devices = definition.Devices with { Graphics = [.. definition.Devices.Graphics.Select(g => g with { Password = null })] },
            };
        return DomainFormatter.Format(definition, runningId);
    }
}
