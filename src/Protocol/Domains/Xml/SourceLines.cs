namespace Virt.Protocol.Domains.Xml;

/// <summary>Where each parsed model object came from, so checks made on the model can still name a line.</summary>
internal sealed class SourceLines
{
    private readonly Dictionary<object, (string Element, int? Line)> _places = new(ReferenceEqualityComparer.Instance);

    public static SourceLines None { get; } = new();

    public T Record<T>(T item, XmlNode node) where T : notnull
    {
        _places[item] = (node.Name, node.Line);
        return item;
    }

    /// <summary>A changed copy of a parsed item (an index given on define) keeps the item's place.</summary>
    public T Replaced<T>(T original, T copy) where T : notnull
    {
        if (_places.TryGetValue(original, out var place))
            _places[copy] = place;
        return copy;
    }

    private readonly Dictionary<string, int?> _elements = [];

    /// <summary>Remembers the line of a top-level element such as name or memory.</summary>
    public void RecordElement(string name, int? line) => _elements.TryAdd(name, line);

    public int? LineOfElement(string name) => _elements.GetValueOrDefault(name);

    public int? LineOf(object item) => _places.TryGetValue(item, out var place) ? place.Line : null;
}
