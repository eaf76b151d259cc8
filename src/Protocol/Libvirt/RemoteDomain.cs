using Virt.Protocol.Libvirt.Xdr;

namespace Virt.Protocol.Libvirt;

/// <summary>
/// remote_nonnull_domain: name, the 16 UUID bytes in RFC order, and the id (-1 when inactive). Incoming handles are
/// resolved by UUID alone: their id may be stale (the client caches it from its lookup).
/// </summary>
public readonly record struct RemoteDomain(string Name, Guid Uuid, int Id)
{
    public const int NameMax = RemoteProcedures.StringMax;

    public static RemoteDomain Read(XdrReader r, string what = "dom") =>
        new(r.String(NameMax, what + ".name"), new Guid(r.FixedOpaque(16, what + ".uuid"), bigEndian: true), r.Int(what + ".id"));

    /// <summary>remote_domain: an optional handle (a 0/1 marker first).</summary>
    public static RemoteDomain? ReadOptional(XdrReader r, string what = "dom") => r.Bool(what) ? Read(r, what) : null;

    public void Write(XdrWriter w) => w.String(Name).FixedOpaque(Uuid.ToByteArray(bigEndian: true)).Int(Id);
}
