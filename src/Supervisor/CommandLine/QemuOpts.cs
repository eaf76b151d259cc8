using System.Globalization;
using System.Text;

namespace Virt.Supervisor.CommandLine;

/// <summary>
/// Builds QEMU's key=value option strings (QemuOpts syntax). Every value goes through
/// <see cref="Escape"/>, so no value can end one key and start another. The implied first
/// value is for our own constants only: QEMU reads it as a key when it holds '='.
/// </summary>
internal sealed class QemuOpts
{
    private readonly StringBuilder _text = new();

    public QemuOpts(string? impliedConstant = null)
    {
        if (impliedConstant is not null)
            _text.Append(Escape(impliedConstant));
    }

    /// <summary>QEMU's one escaping rule inside an option value: a comma is written twice.</summary>
    public static string Escape(string value) => value.Replace(",", ",,", StringComparison.Ordinal);

    public QemuOpts Add(string key, string value)
    {
        if (_text.Length > 0)
            _text.Append(',');
        _text.Append(key).Append('=').Append(Escape(value));
        return this;
    }

    public QemuOpts Add(string key, bool value) => Add(key, value ? "on" : "off");

    public QemuOpts Add(string key, long value) => Add(key, value.ToString(CultureInfo.InvariantCulture));

    public override string ToString() => _text.ToString();
}
