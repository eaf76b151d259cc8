namespace Virt.Supervisor.Storage;

/// <summary>One image of a disk's backing chain: its file and its format.</summary>
public sealed record ImageLayer(string Path, string Format);
