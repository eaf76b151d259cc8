using System.Globalization;
using System.Text;
using System.Text.Json;
using Virt.Protocol.Errors;

namespace Virt.Supervisor.Attach;

/// <summary>
/// One option value in QEMU's syntax: key=value pairs separated by ',' (',,' is a literal comma), an implied
/// first key, or a JSON object (nested members flattened to dotted keys, as QEMU's keyval does). Tracks which
/// keys the parser used, so the rest can be kept as passthrough instead of being dropped.
/// </summary>
internal sealed class QemuOptionValue
{
    private readonly List<KeyValuePair<string, string>> _items;
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    public string Option { get; }
    public bool IsJson { get; }

    private QemuOptionValue(string option, List<KeyValuePair<string, string>> items, bool isJson)
    {
        Option = option;
        _items = items;
        IsJson = isJson;
    }

    /// <summary>Parses <paramref name="text"/>; a first element without '=' is the value of <paramref name="impliedKey"/>.</summary>
    public static QemuOptionValue Parse(string option, string text, string? impliedKey)
    {
        if (text.StartsWith('{'))
            return new QemuOptionValue(option, ParseJson(option, text), isJson: true);
        var items = new List<KeyValuePair<string, string>>();
        var first = true;
        foreach (var part in SplitEscaped(text))
        {
            var eq = part.IndexOf('=');
            if (eq < 0)
            {
                if (first && impliedKey is not null)
                    items.Add(new(impliedKey, part));
                else if (part.Length > 0)
                    items.Add(new(part, "on")); // a bare key is a flag: QEMU reads 'server' as server=on
            }
            else
            {
                items.Add(new(part[..eq], part[(eq + 1)..]));
            }
            first = false;
        }
        return new QemuOptionValue(option, items, isJson: false);
    }

    /// <summary>Splits at single commas; ',,' stands for one comma.</summary>
    public static List<string> SplitEscaped(string text)
    {
        var parts = new List<string>();
        var current = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == ',')
            {
                if (i + 1 < text.Length && text[i + 1] == ',')
                {
                    current.Append(',');
                    i++;
                    continue;
                }
                parts.Add(current.ToString());
                current.Clear();
                continue;
            }
            current.Append(text[i]);
        }
        parts.Add(current.ToString());
        return parts;
    }

    public static string Escape(string value) => value.Replace(",", ",,", StringComparison.Ordinal);

    private static List<KeyValuePair<string, string>> ParseJson(string option, string text)
    {
        var items = new List<KeyValuePair<string, string>>();
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new VirtException(ErrorCode.XmlError, $"option -{option}: a JSON value must be an object, found {document.RootElement.ValueKind}");
            Flatten(document.RootElement, "", items);
        }
        catch (JsonException e)
        {
            throw new VirtException(ErrorCode.XmlError, $"option -{option}: invalid JSON value: {e.Message}", e);
        }
        return items;
    }

    private static void Flatten(JsonElement element, string prefix, List<KeyValuePair<string, string>> items)
    {
        foreach (var member in element.EnumerateObject())
        {
            var key = prefix + member.Name;
            switch (member.Value.ValueKind)
            {
                case JsonValueKind.Object:
                    Flatten(member.Value, key + ".", items);
                    break;
                case JsonValueKind.String:
                    items.Add(new(key, member.Value.GetString()!));
                    break;
                case JsonValueKind.True:
                    items.Add(new(key, "on"));
                    break;
                case JsonValueKind.False:
                    items.Add(new(key, "off"));
                    break;
                default:
                    items.Add(new(key, member.Value.GetRawText()));
                    break;
            }
        }
    }

    public bool Has(string key) => _items.Any(i => i.Key == key);

    /// <summary>The value of <paramref name="key"/> (the last one wins, as in QEMU), marking the key as understood.</summary>
    public string? Take(string key)
    {
        string? value = null;
        foreach (var item in _items)
        {
            if (item.Key == key)
                value = item.Value;
        }
        if (value is not null)
            _used.Add(key);
        return value;
    }

    /// <summary>Marks keys as understood whatever their value (e.g. ids and bus names libvirt assigns itself).</summary>
    public void Ignore(params string[] keys)
    {
        foreach (var key in keys)
            Take(key);
    }

    /// <summary>Marks a key as understood only when it has one of the given (default) values.</summary>
    public void IgnoreIf(string key, params string[] values)
    {
        var value = _items.LastOrDefault(i => i.Key == key).Value;
        if (value is not null && values.Contains(value, StringComparer.Ordinal))
            _used.Add(key);
    }

    public bool? TakeBool(string key)
    {
        var value = Take(key);
        return value switch
        {
            null => null,
            "on" or "yes" or "true" => true,
            "off" or "no" or "false" => false,
            _ => throw Invalid(key, value, "on or off"),
        };
    }

    public int? TakeInt(string key)
    {
        var value = Take(key);
        if (value is null)
            return null;
        return int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 0
            ? n
            : throw Invalid(key, value, "a non-negative integer");
    }

    /// <summary>The keys no one took, in order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Unused => _items.Where(i => !_used.Contains(i.Key)).ToList();

    public VirtException Invalid(string key, string value, string expected) =>
        new(ErrorCode.XmlError, $"option -{Option}: invalid value '{value}' for '{key}': expected {expected}");

    /// <summary>The unused keys written back in key=value form, for a mergeable option kept as passthrough.</summary>
    public string FormatUnused() => string.Join(',', Unused.Select(i => $"{i.Key}={Escape(i.Value)}"));
}
