using Virt.Protocol.Domains;

namespace Virt.Supervisor.Attach;

/// <summary>What a QEMU command line means: the definition, where its QMP monitor listens, and what Virt could not model.</summary>
public sealed record ParsedQemuCommandLine
{
    public required DomainDefinition Definition { get; init; }

    /// <summary>The UNIX socket path of the QMP monitor, or null when the command line has none.</summary>
    public string? MonitorSocketPath { get; init; }

    /// <summary>Options kept verbatim (the same list as <see cref="DomainDefinition.QemuCommandLine"/>).</summary>
    public IReadOnlyList<string> Passthrough => Definition.QemuCommandLine;

    /// <summary>libvirt taint flags: "custom-argv" when anything is passed through.</summary>
    public IReadOnlyList<string> Taints { get; init; } = [];

    /// <summary>The command line had -S: QEMU started with its CPUs stopped.</summary>
    public bool StartPaused { get; init; }
}

/// <summary>libvirt's taint names that apply to a domain built from a QEMU command line.</summary>
public static class DomainTaints
{
    /// <summary>Options passed to QEMU that the definition does not describe.</summary>
    public const string CustomArgv = "custom-argv";

    /// <summary>The QEMU process was started outside Virt and attached.</summary>
    public const string ExternalLaunch = "external-launch";
}
