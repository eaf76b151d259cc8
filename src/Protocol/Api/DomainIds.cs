using Virt.Protocol.Errors;

namespace Virt.Protocol.Api;

/// <summary>A domain's name as libvirt allows it: not empty, no '/', usable as a file name.</summary>
public readonly record struct DomainName
{
    /// <summary>Leaves room for ".xml" (and ".log") in a 255-byte file name; temporary files are named by UUID.</summary>
    public const int MaxBytes = 251;

    public string Value { get; }

    public DomainName(string value)
    {
        if (Problem(value) is { } problem)
            throw new VirtException(ErrorCode.XmlError, problem);
        Value = value;
    }

    /// <summary>Why <paramref name="value"/> cannot name a domain, or null when it can.</summary>
    public static string? Problem(string? value) => value switch
    {
        null or "" => "domain name must not be empty",
        _ when value.StartsWith('.') => $"domain name '{value}' must not start with '.'",
        _ when value.Contains('/') => $"domain name '{value}' must not contain '/'",
        _ when value.Any(char.IsControl) => "domain name must not contain control characters",
        _ when System.Text.Encoding.UTF8.GetByteCount(value) > MaxBytes =>
            $"domain name '{value[..Math.Min(value.Length, 32)]}...' is {System.Text.Encoding.UTF8.GetByteCount(value)} bytes, longer than {MaxBytes} bytes",
        _ => null,
    };

    public override string ToString() => Value;
}

/// <summary>A domain's UUID; printed in libvirt's lower-case dashed form.</summary>
public readonly record struct DomainUuid(Guid Value)
{
    public static DomainUuid Parse(string text) =>
        Guid.TryParse(text, out var guid)
            ? new DomainUuid(guid)
            : throw new VirtException(ErrorCode.XmlError, $"'{text}' is not a UUID");

    public static bool TryParse(string? text, out DomainUuid uuid)
    {
        var ok = Guid.TryParse(text, out var guid);
        uuid = new DomainUuid(guid);
        return ok;
    }

    public override string ToString() => Value.ToString("D");
}
