using System.Text.Json.Nodes;
using Virt.TestSupport.Fuzzing;

namespace Virt.Protocol.Tests.Fuzz;

/// <summary>Random JSON: values of every kind, and mutations of a valid body's tree (drop, add, retype, nest).</summary>
internal static class JsonShapes
{
    private static readonly string[] Keys = ["domain", "name", "uuid", "id", "xml", "flags", "filter", "enabled", "inactive", "waitFor", "json", "x", ""];

    public static JsonNode? Value(Random random, int depth = 0)
    {
        switch (random.Next(depth > 4 ? 6 : 8))
        {
            case 0: return null;
            case 1: return JsonValue.Create(random.Next(2) == 0);
            case 2: return JsonValue.Create(random.Next(4) switch { 0 => 0, 1 => -1, 2 => long.MaxValue, _ => random.NextInt64() });
            case 3: return JsonValue.Create(random.NextDouble() * Math.Pow(10, random.Next(-5, 300)));
            case 4: return JsonValue.Create(Mutations.Hostile(random));
            case 5: return JsonValue.Create(random.Next(3) switch { 0 => Guid.NewGuid().ToString(), 1 => "00:00:03", _ => "Autodestroy, StartPaused" });
            case 6:
                var array = new JsonArray();
                for (var i = random.Next(4); i > 0; i--)
                    array.Add(Value(random, depth + 1));
                return array;
            default:
                var obj = new JsonObject();
                for (var i = random.Next(4); i > 0; i--)
                    obj[Mutations.Pick(random, Keys)] = Value(random, depth + 1);
                return obj;
        }
    }

    /// <summary>Changes one to three places of a body; the result may not be an object at all.</summary>
    public static JsonNode? Mutate(Random random, JsonNode node)
    {
        if (random.Next(20) == 0)
            return Value(random);
        for (var i = 1 + random.Next(3); i > 0; i--)
        {
            var objects = Objects(node).ToList();
            var target = Mutations.Pick(random, objects);
            var keys = target.Select(p => p.Key).ToList();
            switch (random.Next(4))
            {
                case 0 when keys.Count > 0:
                    target.Remove(Mutations.Pick(random, keys));
                    break;
                case 1 when keys.Count > 0:
                    target[Mutations.Pick(random, keys)] = Value(random);
                    break;
                case 2:
                    target[Mutations.Pick(random, Keys)] = Value(random);
                    break;
                default:
                    if (keys.Count > 0)
                    {
                        var key = Mutations.Pick(random, keys);
                        var inner = target[key]?.DeepClone();
                        target[key] = new JsonObject { [Mutations.Pick(random, Keys)] = inner };
                    }
                    break;
            }
        }
        return node;
    }

    private static IEnumerable<JsonObject> Objects(JsonNode node)
    {
        if (node is JsonObject obj)
        {
            yield return obj;
            foreach (var (_, child) in obj)
            {
                if (child is not null)
                {
                    foreach (var inner in Objects(child))
                        yield return inner;
                }
            }
        }
    }
}
