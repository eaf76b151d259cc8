using Virt.Protocol.Domains;

namespace Virt.Actors.Config;

/// <summary>A domain config read from disk, with its autostart flag.</summary>
public sealed record StoredConfig(string FileName, DomainDefinition Definition, bool Autostart);

/// <summary>A config file the scan skipped, and why; the file itself is left alone.</summary>
public sealed record ConfigProblem(string FileName, string Reason)
{
    public override string ToString() => $"{FileName}: {Reason}";
}

/// <summary>What a scan of the config directory found; Parsed counts the files read anew.</summary>
public sealed record ConfigScan(IReadOnlyList<StoredConfig> Loaded, IReadOnlyList<ConfigProblem> Problems, int Parsed);
