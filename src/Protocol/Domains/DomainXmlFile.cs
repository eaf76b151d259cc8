using System.Text;
using Virt.Protocol.Errors;

namespace Virt.Protocol.Domains;

/// <summary>
/// Reads a domain XML file a user names (define, create, run): refused by its size before it is read, and never more
/// than the document limit plus one byte read from a pipe or a device, so a huge or endless file costs nothing.
/// </summary>
public static class DomainXmlFile
{
    public static async Task<string> ReadAsync(string path, CancellationToken ct = default)
    {
        await using var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.Open,
            Access = FileAccess.Read,
            Share = FileShare.ReadWrite,
            Options = FileOptions.SequentialScan,
        });
        if (stream.CanSeek && stream.Length > DomainXml.MaxDocumentBytes)
            throw TooLarge(path, $"{stream.Length} bytes");
        var buffer = new byte[Math.Min(DomainXml.MaxDocumentBytes + 1, stream.CanSeek ? (int)stream.Length + 1 : 64 * 1024)];
        var length = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer.AsMemory(length), ct).ConfigureAwait(false)) > 0)
        {
            length += read;
            if (length > DomainXml.MaxDocumentBytes)
                throw TooLarge(path, "more");
            if (length == buffer.Length)
                Array.Resize(ref buffer, Math.Min(buffer.Length * 2, DomainXml.MaxDocumentBytes + 1));
        }
        // As File.ReadAllText: a byte order mark picks the encoding, UTF-8 otherwise.
        using var reader = new StreamReader(new MemoryStream(buffer, 0, length), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return await reader.ReadToEndAsync(ct).ConfigureAwait(false);
    }

    private static VirtException TooLarge(string path, string size) =>
        new(ErrorCode.XmlError, $"{path} is {size} bytes; a domain XML document may have at most {DomainXml.MaxDocumentBytes} bytes (1 MiB)");
}
