using Virt.Protocol.Errors;

namespace Virt.Supervisor.Storage;

/// <summary>
/// How far a set of commits got: the disks now off their overlay (the overlay file removed), the error that stopped the
/// rest, and whether any base image had been written to by then (its old content is then gone).
/// </summary>
public sealed record CommitResult(IReadOnlyList<string> Done, VirtException? Error, bool BaseWritten)
{
    public static CommitResult Refused(VirtException error) => new([], error, false);
}
