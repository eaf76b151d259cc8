using System.Security;
using System.Text;

namespace Virt.Cli.Commands;

/// <summary>virsh's --diskspec: "DISK[,snapshot=TYPE][,driver=TYPE][,stype=TYPE][,file=PATH]" (a ',,' is a comma in a value) as a snapshot &lt;disk&gt;.</summary>
internal static class SnapshotDiskSpec
{
    public static string ToXml(string spec)
    {
        var parts = Split(spec);
        string? snapshot = null, driver = null, stype = null, file = null;
        if (parts.Count == 0 || parts[0].Length == 0)
            throw Bad(spec);
        foreach (var part in parts.Skip(1))
        {
            if (snapshot is null && part.StartsWith("snapshot=", StringComparison.Ordinal))
                snapshot = part["snapshot=".Length..];
            else if (driver is null && part.StartsWith("driver=", StringComparison.Ordinal))
                driver = part["driver=".Length..];
            else if (stype is null && part.StartsWith("stype=", StringComparison.Ordinal))
                stype = part["stype=".Length..];
            else if (file is null && part.StartsWith("file=", StringComparison.Ordinal))
                file = part["file=".Length..];
            else
                throw Bad(spec);
        }
        if (stype is not (null or "file" or "block"))
            throw new UsageException($"Unknown storage type: '{stype}'");
        var xml = new StringBuilder("    <disk name='").Append(SecurityElement.Escape(parts[0])).Append('\'');
        if (snapshot is not null)
            xml.Append(" snapshot='").Append(SecurityElement.Escape(snapshot)).Append('\'');
        if (stype is not null)
            xml.Append(" type='").Append(stype).Append('\'');
        if (driver is null && file is null)
            return xml.Append("/>\n").ToString();
        xml.Append(">\n");
        if (driver is not null)
            xml.Append("      <driver type='").Append(SecurityElement.Escape(driver)).Append("'/>\n");
        if (file is not null)
            xml.Append("      <source ").Append(stype == "block" ? "dev" : "file").Append("='").Append(SecurityElement.Escape(file)).Append("'/>\n");
        return xml.Append("    </disk>\n").ToString();
    }

    /// <summary>vshStringToArray: split on ',', where ',,' stands for one comma.</summary>
    private static List<string> Split(string spec)
    {
        var parts = new List<string>();
        var current = new StringBuilder();
        for (var i = 0; i < spec.Length; i++)
        {
            if (spec[i] != ',')
                current.Append(spec[i]);
            else if (i + 1 < spec.Length && spec[i + 1] == ',')
                current.Append(spec[++i]);
            else
            {
                parts.Add(current.ToString());
                current.Clear();
            }
        }
        parts.Add(current.ToString());
        return parts;
    }

    private static UsageException Bad(string spec) => new($"unable to parse diskspec: {spec}");
}
