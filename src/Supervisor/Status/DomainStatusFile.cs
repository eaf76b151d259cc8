using System.Text.Json.Serialization;

namespace Virt.Supervisor.Status;

/// <summary>What a restarted daemon needs to find and trust a running domain's QEMU again.</summary>
public sealed record DomainStatusFile
{
    public const int CurrentVersion = 1;

    public int Version { get; init; } = CurrentVersion;
    public required Guid Uuid { get; init; }
    public required string Name { get; init; }
    public required int Pid { get; init; }
    /// <summary>Field 22 of /proc/PID/stat when QEMU was started: tells our QEMU from a reused pid.</summary>
    public required ulong ProcessStartTime { get; init; }
    public required string MonitorPath { get; init; }
    /// <summary>libvirt state name: running, paused, ...</summary>
    public required string State { get; init; }
    /// <summary>libvirt reason name for the state: booted, user, ...</summary>
    public required string Reason { get; init; }
    /// <summary>The live domain XML, as the running QEMU was built from it.</summary>
    public required string DomainXml { get; init; }
    /// <summary>The connection that started the domain with autodestroy, or null.</summary>
    public string? AutodestroyOwner { get; init; }
    public IReadOnlyList<string> Taints { get; init; } = [];
    /// <summary>libvirt's domain id; null in files written before it was recorded (the id is then read from the monitor path).</summary>
    public int? DomainId { get; init; }
}

/// <summary>One status file as read from disk: either the status or why it could not be used.</summary>
public sealed record StatusFileReadResult(string Path, DomainStatusFile? Status, string? Error)
{
    public bool IsValid => Status is not null;
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip)]
[JsonSerializable(typeof(DomainStatusFile))]
internal sealed partial class StatusJsonContext : JsonSerializerContext;
