using Virt.Protocol.Errors;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Actors.Domains.Consoles;

/// <summary>A session as its owner needs to see it: which device it holds, and how to end it.</summary>
internal interface IHeldConsole
{
    long Id { get; }
    string Device { get; }

    /// <summary>Ends the session from the daemon's side; its client is told <paramref name="reason"/> (null: a plain end).</summary>
    void End(VirtException? reason);
}

/// <summary>
/// The console sessions of one running domain, at most one per device (libvirt's virChrdevOpen): a second open is
/// refused unless forced, and a forced one ends the session it replaces, whose client learns why.
/// </summary>
internal sealed class ConsoleSessions<TSession> where TSession : class, IHeldConsole
{
    public const string InUse = "Active console session exists for this domain";
    public const string TakenOver = "the console was taken over by another session (force)";

    private readonly Dictionary<string, TSession> _byDevice = new(StringComparer.Ordinal);

    public int Count => _byDevice.Count;

    /// <summary>Whether a new session may have <paramref name="device"/>; a forced open ends the one holding it.</summary>
    public ErrorReply? Admit(string device, bool force)
    {
        if (!_byDevice.TryGetValue(device, out var holder))
            return null;
        if (!force)
            return new ErrorReply(ErrorCode.OperationFailed, InUse);
        _byDevice.Remove(device);
        holder.End(new VirtException(ErrorCode.OperationFailed, TakenOver));
        return null;
    }

    public void Add(TSession session) => _byDevice[session.Device] = session;

    /// <summary>A session that ended by itself (its client left, the pty closed); a newer one on the device stays.</summary>
    public void Forget(long id, string device)
    {
        if (_byDevice.TryGetValue(device, out var held) && held.Id == id)
            _byDevice.Remove(device);
    }

    /// <summary>The domain stopped or its actor let go: every session ends.</summary>
    public void EndAll(VirtException? reason)
    {
        var sessions = _byDevice.Values.ToList();
        _byDevice.Clear();
        foreach (var session in sessions)
            session.End(reason);
    }
}
