using Virt.Protocol.Libvirt;
using Virt.Protocol.Libvirt.Xdr;
using Virt.Supervisor.Host;
using P = Virt.Protocol.Libvirt.RemoteProcedures;

namespace Virt.Host.Libvirt;

// NODE_GET_MEMORY_STATS: the host's memory, asked twice as libvirt clients do (how many, then that many).
internal sealed partial class LibvirtSession
{
    private Task<XdrWriter?> NodeGetMemoryStats(XdrReader args)
    {
        var nparams = args.Int("nparams");
        var cell = args.Int("cellNum");
        var flags = args.UInt("flags");
        args.End("node get memory stats");
        _ = Connection;
        if (nparams > P.NodeMemoryStatsMax)
            throw new LibvirtFault(new LibvirtError(LibvirtError.InternalError, LibvirtError.FromRpc, "internal error: nparams too large"));
        if (nparams < 0)
            throw new LibvirtFault(LibvirtError.InvalidArgument("nparams in virNodeGetMemoryStats must be greater than or equal to zero"));
        if (flags != 0)
            throw new LibvirtFault(LibvirtError.InvalidArgument($"unsupported flags (0x{flags:x}) in function virHostMemGetStats"));
        // libvirt is built with numactl: cell 0 of a one-node host is that node's meminfo, not the host's.
        if (cell != NodeMemory.AllCells && (cell < 0 || cell > NodeMemory.MaxNode()))
            throw new LibvirtFault(LibvirtError.InvalidArgument($"cellNum in virHostMemGetStats must be less than or equal to {NodeMemory.MaxNode()}"));
        var count = NodeMemory.FieldCount(cell);
        if (nparams == 0)
            return Done(NodeMemoryStatsReply.Count(count));
        if (nparams != count)
            throw new LibvirtFault(LibvirtError.InvalidArgument($"nparams in virHostMemGetStatsLinux must be {count}"));
        var stats = NodeMemory.Read(cell);
        if (stats.Count == 0)
            throw new LibvirtFault(new LibvirtError(LibvirtError.InternalError, LibvirtError.FromRpc, "internal error: no available memory line found"));
        return Done(NodeMemoryStatsReply.Values(stats, nparams));
    }
}
