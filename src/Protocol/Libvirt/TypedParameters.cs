using Virt.Protocol.Api;
using Virt.Protocol.Libvirt.Xdr;

namespace Virt.Protocol.Libvirt;

/// <summary>remote_typed_param arrays: the field's name, then the value as a union on libvirt's type number.</summary>
public static class TypedParameters
{
    public static XdrWriter Write(XdrWriter w, IReadOnlyList<TypedParameter> parameters)
    {
        w.UInt((uint)parameters.Count);
        foreach (var p in parameters)
        {
            w.String(p.Field).Int((int)p.Kind);
            switch (p.Kind)
            {
                case TypedParameterKind.Int or TypedParameterKind.Boolean:
                    w.Int(unchecked((int)p.Number));
                    break;
                case TypedParameterKind.UInt:
                    w.UInt((uint)p.Number);
                    break;
                case TypedParameterKind.String:
                    w.String(p.Text ?? "");
                    break;
                default: // LLONG, ULLONG, and DOUBLE, whose IEEE bits travel as 8 big-endian bytes too
                    w.UHyper(p.Number);
                    break;
            }
        }
        return w;
    }
}
