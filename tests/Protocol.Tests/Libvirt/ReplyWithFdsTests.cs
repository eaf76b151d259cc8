using Virt.Protocol.Libvirt;

namespace Virt.Protocol.Tests.Libvirt;

/// <summary>REPLY_WITH_FDS as libvirt 9.0 encodes it (virNetMessageEncodeHeader + virNetMessageEncodeNumFDs).</summary>
public sealed class ReplyWithFdsTests
{
    private static readonly LibvirtHeader Call = new(LibvirtProgram.Remote, 1, RemoteProcedures.DomainOpenGraphicsFd, LibvirtMessageType.Call, 9, LibvirtStatus.Ok);

    [Fact]
    public void The_length_counts_header_and_descriptor_count_and_the_void_body()
    {
        // length 32 | prog | vers | proc 343 | type 5 | serial 9 | status OK | nfds 1; the dummy bytes follow uncounted.
        Assert.Equal(Convert.FromHexString("00000020" + "20008086" + "00000001" + "00000157" + "00000005" + "00000009" + "00000000" + "00000001"),
            LibvirtFraming.EncodeReplyWithFds(Call, 1, []));
    }

    [Fact]
    public void A_ret_body_follows_the_descriptor_count()
    {
        var packet = LibvirtFraming.EncodeReplyWithFds(Call, 2, [0, 0, 0, 7]);
        Assert.Equal(36, packet.Length);
        Assert.Equal(Convert.FromHexString("00000002" + "00000007"), packet[28..]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(LibvirtFraming.MaxFds + 1)]
    public void A_count_libvirt_would_refuse_is_not_encoded(int count) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => LibvirtFraming.EncodeReplyWithFds(Call, count, []));
}
