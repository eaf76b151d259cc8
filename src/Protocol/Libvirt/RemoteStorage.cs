using Virt.Protocol.Libvirt.Xdr;

namespace Virt.Protocol.Libvirt;

/// <summary>remote_nonnull_storage_pool: name and UUID. Incoming handles are resolved by name, as libvirtd does.</summary>
public readonly record struct RemotePool(string Name, Guid Uuid)
{
    public static RemotePool Read(XdrReader r, string what = "pool") =>
        new(r.String(RemoteProcedures.StringMax, what + ".name"), new Guid(r.FixedOpaque(16, what + ".uuid"), bigEndian: true));

    /// <summary>A remote_storage_pool (or remote_network, the same shape): a pointer, so a bool first.</summary>
    public static RemotePool? ReadOptional(XdrReader r, string what = "pool") => r.Bool(what) ? Read(r, what) : null;

    public void Write(XdrWriter w) => w.String(Name).FixedOpaque(Uuid.ToByteArray(bigEndian: true));
}

/// <summary>remote_nonnull_storage_vol: its pool's name, its own name, and its key (for a file volume, its path).</summary>
public readonly record struct RemoteVolume(string Pool, string Name, string Key)
{
    public static RemoteVolume Read(XdrReader r, string what = "vol") => new(
        r.String(RemoteProcedures.StringMax, what + ".pool"), r.String(RemoteProcedures.StringMax, what + ".name"),
        r.String(RemoteProcedures.StringMax, what + ".key"));

    public void Write(XdrWriter w) => w.String(Pool).String(Name).String(Key);
}
