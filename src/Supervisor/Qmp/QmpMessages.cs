using System.Text.Json;

namespace Virt.Supervisor.Qmp;

/// <summary>An asynchronous QMP event; <paramref name="Data"/> is an empty object when QEMU sent none.</summary>
public sealed record QmpEvent(string Name, JsonElement Data, DateTimeOffset Timestamp);

/// <summary>The greeting QEMU sends first on every QMP connection.</summary>
public sealed record QmpGreeting(Version Version, string? Package, IReadOnlyList<string> Capabilities);
