namespace Virt.Cli;

/// <summary>A command line the parser accepted but virsh's rules refuse (mutually exclusive options).</summary>
internal sealed class UsageException(string message) : Exception(message);
