using Virt.Bench;

// Plain harness: `dotnet run -c Release --project bench/Virt.Bench -- NAME [NAME...]`, or no name for all.
var selected = args.Length == 0 ? Benchmarks.All.Keys.ToArray() : args;
foreach (var name in selected)
{
    if (!Benchmarks.All.TryGetValue(name, out var run))
    {
        Console.Error.WriteLine($"error: unknown benchmark '{name}'; known: {string.Join(", ", Benchmarks.All.Keys)}");
        return 1;
    }
    Console.WriteLine($"## {name}");
    await run();
}
return 0;
