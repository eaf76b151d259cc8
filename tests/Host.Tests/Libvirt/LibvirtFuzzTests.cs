using System.Buffers.Binary;
using Serilog.Events;
using Virt.Host.Configuration;
using Virt.Host.Libvirt;
using Virt.Host.Runtime;
using Virt.Host.Sockets;
using Virt.Protocol.Errors;
using Virt.Protocol.Libvirt;
using Virt.Protocol.Libvirt.Xdr;
using Virt.Supervisor.Paths;
using Virt.TestSupport;
using Virt.TestSupport.Fuzzing;
using Xunit.Abstractions;
using P = Virt.Protocol.Libvirt.RemoteProcedures;

namespace Virt.Host.Tests.Libvirt;

/// <summary>
/// libvirt's decoders under mutated input: packets are read or refused as protocol errors, and every procedure's
/// argument decoder answers each call with a reply packet (an error one for nonsense), never an exception or a hang.
/// </summary>
public sealed class LibvirtFuzzTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly TempDirectory _dir = new("vz");
    private VirtRuntime _runtime = null!;

    public async Task InitializeAsync() =>
        _runtime = await VirtRuntime.StartAsync(VirtConfig.Load(VirtPaths.Embed(_dir.Combine("root"))), LoggingSetup.Create(LogEventLevel.Fatal));

    public async Task DisposeAsync()
    {
        await _runtime.DisposeAsync();
        _dir.Dispose();
    }

    private sealed class NullOutput : ILibvirtOutput
    {
        public bool TryPush(byte[] packet) => true;

        public void Close(VirtException reason)
        {
        }
    }

    /// <summary>Well-formed arguments of a few shapes, which the mutations start from.</summary>
    private static readonly byte[][] Bodies =
    [
        [],
        new XdrWriter().Int(10).Written.ToArray(),
        Dom().Written.ToArray(),
        Dom().UInt(2).Written.ToArray(),
        Dom().String("{\"execute\":\"query-status\"}").UInt(1).Written.ToArray(),
        new XdrWriter().String("<domain type='qemu'><name>f</name></domain>").UInt(0).Written.ToArray(),
        new XdrWriter().Int(1).UInt(3).Written.ToArray(),
        new XdrWriter().Int(0).UInt(1).Written.ToArray(),
        new XdrWriter().UInt(1).String("/usr/bin/qemu-system-x86_64").UInt(0).UInt(0).UInt(1).String("qemu").UInt(0).Written.ToArray(),
    ];

    private static XdrWriter Dom()
    {
        var w = new XdrWriter();
        new RemoteDomain("vm", Guid.NewGuid(), 3).Write(w);
        return w;
    }

    /// <summary>Every procedure the session serves, but CONNECT_OPEN: unopened, the calls stop after their decoding.</summary>
    private static readonly int[] Procedures = typeof(P).GetFields()
        .Where(f => f.IsLiteral && f.FieldType == typeof(int) && !f.Name.EndsWith("Max", StringComparison.Ordinal) && !f.Name.EndsWith("BufLen", StringComparison.Ordinal))
        .Select(f => (int)f.GetRawConstantValue()!)
        .Where(p => p != P.ConnectOpen)
        .Distinct()
        .ToArray();

    [Fact]
    public void Mutated_arguments_of_every_procedure_get_a_reply_packet()
    {
        var session = new LibvirtSessionFactory(_runtime, "qemu:///session").Open(new ClientIdentity(1, 0, 0, false, "fuzz"), new NullOutput());
        var result = FuzzLoop.Run("libvirt-args",
            random =>
            {
                var proc = random.Next(10) == 0 ? random.Next(-5, 500) : Mutations.Pick(random, Procedures);
                var program = random.Next(8) == 0 ? LibvirtProgram.Qemu : LibvirtProgram.Remote;
                var body = random.Next(3) == 0 ? Mutations.Pick(random, Bodies) : Mutations.Bytes(random, Mutations.Pick(random, Bodies));
                return new LibvirtPacket(new LibvirtHeader(program, 1, proc, LibvirtMessageType.Call, (uint)random.Next(), LibvirtStatus.Ok), body);
            },
            call =>
            {
                var reply = session.CallAsync(call, CancellationToken.None).GetAwaiter().GetResult();
                var header = LibvirtHeader.Read(reply.AsSpan(4));
                Assert.Equal((call.Header.Program, call.Header.Procedure, call.Header.Serial, LibvirtMessageType.Reply),
                    (header.Program, header.Procedure, header.Serial, header.Type));
                Assert.Equal((uint)reply.Length, BinaryPrimitives.ReadUInt32BigEndian(reply));
                return header.Status == LibvirtStatus.Ok;
            },
            _ => false,
            call => $"program {call.Header.Program:x} proc {call.Header.Procedure} body {Convert.ToHexString(call.Body.Span)}",
            budget: FuzzLoop.Budget(4));
        output.WriteLine(result.ToString());
        Assert.True(result.Iterations > 100);
    }

    [Fact]
    public void Mutated_packets_are_read_or_refused_as_protocol_errors()
    {
        var sample = LibvirtFraming.Encode(new LibvirtHeader(LibvirtProgram.Remote, 1, P.DomainLookupByName, LibvirtMessageType.Call, 7, LibvirtStatus.Ok),
            new XdrWriter().String("vm").Written);
        var result = FuzzLoop.Run("libvirt-packet",
            random =>
            {
                var packet = Mutations.Bytes(random, sample);
                if (random.Next(2) == 0 && packet.Length >= 4)
                    BinaryPrimitives.WriteUInt32BigEndian(packet, (uint)packet.Length);
                return packet;
            },
            packet =>
            {
                using var stream = new MemoryStream(packet);
                return LibvirtFraming.ReadAsync(stream, 64 * 1024, CancellationToken.None).GetAwaiter().GetResult() is not null;
            },
            e => e is VirtException { Code: ErrorCode.Rpc } v && v.Message.Length > 0,
            Convert.ToHexString);
        output.WriteLine(result.ToString());
        Assert.True(result.Iterations > 100);
    }
}
