using Virt.Protocol.Libvirt;
using Virt.Protocol.Libvirt.Xdr;

namespace Virt.Protocol.Tests.Libvirt;

/// <summary>NODE_GET_MEMORY_STATS's two passes and the optional pool handle of the pool event registration.</summary>
public sealed class NodeMemoryStatsWireTests
{
    [Fact]
    public void The_first_pass_sends_no_params_and_how_many_there_are()
    {
        var r = new XdrReader(NodeMemoryStatsReply.Count(4).Written.ToArray());
        Assert.Equal(0u, r.UInt());
        Assert.Equal(4, r.Int());
        r.End("reply");
    }

    [Fact]
    public void The_second_pass_sends_as_many_as_asked_in_order_and_leaves_nparams_zero()
    {
        var r = new XdrReader(NodeMemoryStatsReply.Values([new("total", 8000), new("free", 5000), new("buffers", 10)], 4).Written.ToArray());
        Assert.Equal(4u, r.UInt());
        Assert.Equal(("total", 8000UL), (r.String(64), r.UHyper()));
        Assert.Equal(("free", 5000UL), (r.String(64), r.UHyper()));
        Assert.Equal(("buffers", 10UL), (r.String(64), r.UHyper()));
        Assert.Equal((string.Empty, 0UL), (r.String(64), r.UHyper()));
        Assert.Equal(0, r.Int());
        r.End("reply");
    }

    [Fact]
    public void An_optional_pool_is_a_pointer_to_a_name_and_uuid()
    {
        var uuid = Guid.NewGuid();
        var w = new XdrWriter().UInt(0).UInt(1);
        new RemotePool("images", uuid).Write(w);
        var r = new XdrReader(w.Written.ToArray());
        Assert.Null(RemotePool.ReadOptional(r));
        Assert.Equal(new RemotePool("images", uuid), RemotePool.ReadOptional(r));
        r.End("args");
    }
}
