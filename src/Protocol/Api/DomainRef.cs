namespace Virt.Protocol.Api;

/// <summary>How a command names its domain: by name, UUID or running id (exactly one is set).</summary>
public sealed record DomainRef : System.Text.Json.Serialization.IJsonOnDeserialized
{
    public DomainName? Name { get; init; }
    public DomainUuid? Uuid { get; init; }
    public int? Id { get; init; }

    public static DomainRef ByName(string name) => new() { Name = new DomainName(name) };
    public static DomainRef ByName(DomainName name) => new() { Name = name };
    public static DomainRef ByUuid(DomainUuid uuid) => new() { Uuid = uuid };
    public static DomainRef ById(int id) => new() { Id = id };

    /// <summary>
    /// virsh's rule: a number is an id, a UUID is a UUID, anything else a name; the daemon tries an id or UUID that
    /// matches nothing as a name. Without <paramref name="allowId"/> (virsh start) a number is a name.
    /// </summary>
    public static DomainRef FromText(string text, bool allowId = true) =>
        allowId && int.TryParse(text, out var id) && id > 0 ? ById(id)
        : DomainUuid.TryParse(text, out var uuid) ? ByUuid(uuid)
        : ByName(text);

    /// <summary>A reference from the wire that names no domain, or several, is malformed rather than silently resolved.</summary>
    void System.Text.Json.Serialization.IJsonOnDeserialized.OnDeserialized()
    {
        var set = (Name is null ? 0 : 1) + (Uuid is null ? 0 : 1) + (Id is null ? 0 : 1);
        if (set != 1)
            throw new System.Text.Json.JsonException($"a domain reference needs exactly one of name, uuid or id; it has {set}");
    }

    public override string ToString() =>
        Name is { } n ? $"name '{n}'" : Uuid is { } u ? $"uuid '{u}'" : $"id {Id}";
}
