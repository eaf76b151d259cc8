using System.Buffers.Binary;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Virt.Host.Libvirt;
using Virt.Host.Sockets;
using Virt.Protocol.Libvirt;
using Virt.Supervisor.Native;
using Virt.TestSupport;

namespace Virt.Host.Tests.Sockets;

/// <summary>
/// REPLY_WITH_FDS on the daemon's socket, read as libvirt's client reads it: the packet by its length, then for each
/// descriptor one recvmsg of one byte carrying SCM_RIGHTS, with no other packet in between however many events race it.
/// </summary>
public sealed class LibvirtFdPassingTests : IAsyncLifetime
{
    private const int Events = 300;
    private readonly TempDirectory _dir = new();
    private readonly FdSessions _sessions = new();
    private UnixSocketServer _server = null!;

    public Task InitializeAsync()
    {
        _server = new UnixSocketServer(new SocketServerOptions { Path = _dir.Combine("s") }, new TestSessions(), NullLogger.Instance, _sessions);
        _server.Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _sessions.Dispose();
        _dir.Dispose();
    }

    /// <summary>Answers every call with one end of a fresh socket pair, while pushing events from another thread.</summary>
    private sealed class FdSessions : ILibvirtSessionFactory, IDisposable
    {
        public List<SafeHandle> KeptEnds { get; } = [];

        public ILibvirtSession Open(ClientIdentity client, ILibvirtOutput output) => new Session(this, output);

        public void Dispose()
        {
            lock (KeptEnds)
                KeptEnds.ForEach(end => end.Dispose());
        }

        private sealed class Session(FdSessions owner, ILibvirtOutput output) : ILibvirtSession, ILibvirtFdSession
        {
            public Task<byte[]> CallAsync(LibvirtPacket call, CancellationToken ct) => throw new InvalidOperationException("every call passes a descriptor here");

            public bool PassesFds(LibvirtHeader call) => true;

            public async Task<(byte[] Reply, IReadOnlyList<SafeHandle> Fds)> CallWithFdsAsync(LibvirtPacket call, CancellationToken ct)
            {
                // Half the events go before the reply, half while the writer is sending it and its descriptor.
                var halfway = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _ = Task.Run(async () =>
                {
                    for (var i = 0; i < Events; i++)
                    {
                        output.TryPush(LibvirtFraming.Encode(new LibvirtHeader(LibvirtProgram.Remote, 1, 318, LibvirtMessageType.Message, 0, LibvirtStatus.Ok), new byte[64]));
                        if (i == Events / 2)
                            halfway.SetResult();
                        if (i > Events / 2)
                            await Task.Delay(1);
                    }
                }, ct);
                var (client, kept) = FdPassing.SocketPair();
                lock (owner.KeptEnds)
                    owner.KeptEnds.Add(kept);
                await halfway.Task;
                return (LibvirtFraming.EncodeReplyWithFds(call.Header, 1, []), [client]);
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }

    [Fact]
    public void The_descriptor_follows_its_packet_on_a_dummy_byte_with_no_packet_between()
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Connect(new UnixDomainSocketEndPoint(_dir.Combine("s")));
        socket.ReceiveTimeout = 10_000;
        var call = new LibvirtHeader(LibvirtProgram.Remote, 1, RemoteProcedures.DomainOpenGraphicsFd, LibvirtMessageType.Call, 7, LibvirtStatus.Ok);
        socket.Send(LibvirtFraming.Encode(call, new byte[12]));

        var events = 0;
        while (true)
        {
            var length = BinaryPrimitives.ReadUInt32BigEndian(ReadExactly(socket, 4));
            var rest = ReadExactly(socket, (int)length - 4);
            var header = LibvirtHeader.Read(rest);
            if (header.Type == LibvirtMessageType.Message)
            {
                events++;
                continue;
            }
            // 24-byte header + nfds, counted in the length with the length word itself; the ret body is void.
            Assert.Equal(32u, length);
            Assert.Equal(call.Reply(LibvirtStatus.Ok) with { Type = LibvirtMessageType.ReplyWithFds }, header);
            Assert.Equal(1u, BinaryPrimitives.ReadUInt32BigEndian(rest.AsSpan(LibvirtHeader.Size)));
            break;
        }
        var dummy = new byte[1];
        var (bytes, fd) = FdPassing.Receive(socket, dummy);
        Assert.Equal((1, (byte)0), (bytes, dummy[0]));
        Assert.NotNull(fd);

        // The descriptor is the daemon's end of a live pair: what goes in at the other end comes out here.
        using (fd)
        {
            using var passed = new Socket(new SafeSocketHandle(fd.DangerousGetHandle(), ownsHandle: false));
            SafeHandle kept;
            lock (_sessions.KeptEnds)
                kept = _sessions.KeptEnds.Single();
            using var other = new Socket(new SafeSocketHandle(kept.DangerousGetHandle(), ownsHandle: false));
            other.Send("RFB 003.008\n"u8);
            Assert.Equal("RFB 003.008\n", Encoding.ASCII.GetString(ReadExactly(passed, 12)));
        }

        Assert.InRange(events, Events / 2, Events - 1); // the rest raced the reply and come after it
        // The events the reply raced with all arrive, before or after the descriptor but never between.
        while (events < Events)
        {
            var length = BinaryPrimitives.ReadUInt32BigEndian(ReadExactly(socket, 4));
            Assert.Equal(LibvirtMessageType.Message, LibvirtHeader.Read(ReadExactly(socket, (int)length - 4)).Type);
            events++;
        }
    }

    private static byte[] ReadExactly(Socket socket, int count)
    {
        var buffer = new byte[count];
        for (var got = 0; got < count;)
        {
            var n = socket.Receive(buffer, got, count - got, SocketFlags.None);
            Assert.NotEqual(0, n);
            got += n;
        }
        return buffer;
    }
}
