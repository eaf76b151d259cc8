using System.Net.Sockets;
using Virt.Integration.Tests.Support;
using Virt.Protocol.Api;
using Virt.Protocol.Errors;
using Virt.Protocol.Rpc;
using Virt.Protocol.Wire;
using Virt.TestSupport;
using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Integration.Tests;

/// <summary>
/// A real system-mode virtd (under a prefix, so the host's /etc and /run stay untouched): a 0600 read-write socket
/// and a 0666 read-only one, with other users welcome on the read-only socket for reading only.
/// </summary>
public sealed class SystemDaemonTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new("vs");
    private DaemonProcess? _daemon;

    private string Prefix => _dir.Combine("prefix");
    private string ReadOnlySocket => Path.Combine(Prefix, "run", "virt", "virt-sock-ro");

    public Task InitializeAsync()
    {
        // Another user must reach the sockets through the test's directories.
        File.SetUnixFileMode(_dir.Path, (UnixFileMode)0b111_101_101);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_daemon is not null)
            await _daemon.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task The_read_only_socket_serves_every_user_for_reading_and_refuses_every_change()
    {
        if (!OtherUser.IsRoot)
        {
            // Without root the system instance refuses to start; that is all this machine can show.
            await using var refused = DaemonProcess.Launch(Prefix, "--system");
            Assert.Equal(1, await refused.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains("must run as root", refused.Output);
            return;
        }
        _daemon = await DaemonProcess.StartAsync(Prefix, "--system");
        Assert.Equal((UnixFileMode)0b110_000_000, File.GetUnixFileMode(_daemon.SocketPath));
        Assert.Equal((UnixFileMode)0b110_110_110, File.GetUnixFileMode(ReadOnlySocket));
        Assert.True(Directory.Exists(Path.Combine(Prefix, "etc", "virt", "qemu")));

        await using (var admin = await WireOver(Connect(_daemon.SocketPath)))
            Assert.IsType<DomainSummary>(await CallAsync(admin, new DefineDomain(TestGuest.Xml(_dir.Path, "sysvm"))));

        var denied = Assert.Throws<SocketException>(() => OtherUser.Run(OtherUser.Nobody, () => Connect(_daemon.SocketPath)));
        Assert.Equal(SocketError.AccessDenied, denied.SocketErrorCode);

        await using var reader = await WireOver(OtherUser.Run(OtherUser.Nobody, () => Connect(ReadOnlySocket)));
        var list = Assert.IsType<DomainList>(await CallAsync(reader, new ListDomains(ListDomainsFlags.All)));
        Assert.Equal("sysvm", Assert.Single(list.Domains).Name.Value);
        var refusal = Assert.IsType<ErrorReply>(await CallAsync(reader, new StartDomain(DomainRef.ByName("sysvm"))));
        Assert.Equal(ErrorCode.OperationDenied, refusal.Code);
        var undefine = Assert.IsType<ErrorReply>(await CallAsync(reader, new UndefineDomain(DomainRef.ByName("sysvm"))));
        Assert.Equal(ErrorCode.OperationDenied, undefine.Code);
        Assert.True(File.Exists(Path.Combine(Prefix, "etc", "virt", "qemu", "sysvm.xml")));

        // The real virsh as that user, on the same socket: it reads, and every change it asks for is refused there.
        string[] asNobody = ["--reuid=65534", "--regid=65534", "--clear-groups", "virsh", "-c", $"qemu+unix:///system?socket={ReadOnlySocket}"];
        Assert.Equal("sysvm\n\n", (await ClientProcess.RunAsync("setpriv", [.. asNobody, "list", "--all", "--name"])).Out);
        var virshStart = await ClientProcess.RunAsync("setpriv", [.. asNobody, "start", "sysvm"]);
        Assert.Equal(1, virshStart.Exit);
        Assert.Equal("error: Failed to start domain 'sysvm'\nerror: operation forbidden: read only access prevents domain.start\n", virshStart.Err);
        await using var check = await WireOver(Connect(_daemon.SocketPath));
        Assert.Equal("shut off (unknown)", Assert.IsType<DomainSummary>(await CallAsync(check, new LookupDomain(DomainRef.ByName("sysvm")))).StateText);
    }

    [Fact]
    public async Task One_user_cannot_take_every_slot_of_the_read_only_socket()
    {
        if (!OtherUser.IsRoot)
            return; // the system instance needs root; the test above shows the refusal
        var config = _dir.Combine("limits.hocon");
        await File.WriteAllTextAsync(config, "virt.max-clients-per-uid = 3\n");
        _daemon = await DaemonProcess.StartAsync(Prefix, "--system", "--config", config);

        var held = new List<WireClient>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var client = await WireOver(OtherUser.Run(OtherUser.Nobody, () => Connect(ReadOnlySocket)));
                held.Add(client);
                Assert.IsType<DomainList>(await CallAsync(client, new ListDomains(ListDomainsFlags.All)));
            }
            await using var fourth = await WireOver(OtherUser.Run(OtherUser.Nobody, () => Connect(ReadOnlySocket)));
            var refused = Assert.IsType<ErrorReply>(await CallAsync(fourth, new ListDomains(ListDomainsFlags.All)));
            Assert.Contains($"too many connections from uid {OtherUser.Nobody} (limit 3 per user)", refused.Message);

            // Others still get in: the daemon's own user, on the same socket.
            await using var admin = await WireOver(Connect(ReadOnlySocket));
            Assert.IsType<DomainList>(await CallAsync(admin, new ListDomains(ListDomainsFlags.All)));
        }
        finally
        {
            foreach (var client in held)
                await client.DisposeAsync();
        }
    }

    private static Socket Connect(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(path));
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static Task<WireClient> WireOver(Socket socket) =>
        Task.FromResult(new WireClient(new NetworkStream(socket, ownsSocket: true)));

    private static async Task<IDomainReply> CallAsync(WireClient client, IDomainCommand command)
    {
        try
        {
            return Procedures.DecodeReply(await client.CallAsync(Procedures.NameOf(command), Procedures.EncodeCommand(command),
                TimeSpan.FromSeconds(60)));
        }
        catch (VirtException e)
        {
            return ErrorReply.From(e);
        }
    }
}
