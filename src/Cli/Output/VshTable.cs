using System.Text;

namespace Virt.Cli.Output;

/// <summary>
/// virsh's table layout: every cell starts with one space, columns are padded to their widest cell plus two,
/// the last column is not padded, and under the header a dash line as wide as every column plus three.
/// </summary>
internal sealed class VshTable(params string[] header)
{
    private readonly List<string[]> _rows = [];

    public VshTable Add(params string[] cells)
    {
        if (cells.Length != header.Length)
            throw new ArgumentException($"a row of {cells.Length} cells in a table of {header.Length} columns", nameof(cells));
        _rows.Add(cells);
        return this;
    }

    public string Format(bool withHeader = true)
    {
        var encoded = _rows.Select(row => row.Select(SafeText).ToArray()).ToList();
        var widths = new int[header.Length];
        foreach (var row in withHeader ? encoded.Prepend(header) : encoded)
            for (var i = 0; i < row.Length; i++)
                widths[i] = Math.Max(widths[i], row[i].Length);

        var text = new StringBuilder();
        if (withHeader)
        {
            AppendRow(text, header, widths);
            text.Append('-', widths.Sum(w => w + 3)).Append('\n');
        }
        foreach (var row in encoded)
            AppendRow(text, row, widths);
        return text.ToString();
    }

    private static void AppendRow(StringBuilder text, string[] row, int[] widths)
    {
        for (var i = 0; i < row.Length; i++)
        {
            text.Append(' ').Append(row[i]);
            if (i < row.Length - 1)
                text.Append(' ', widths[i] - row[i].Length + 2);
        }
        text.Append('\n');
    }

    /// <summary>Control characters would break the columns, so they print as \xNN, as virsh does.</summary>
    private static string SafeText(string cell) =>
        cell.Any(char.IsControl)
            ? string.Concat(cell.Select(c => char.IsControl(c) ? $"\\x{(int)c:x2}" : c.ToString()))
            : cell;
}
