using System.Buffers.Binary;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Virt.Protocol.Api;
using Virt.Protocol.Errors;
using Virt.Protocol.Rpc;
using Virt.Protocol.Wire;
using Virt.TestSupport.Fuzzing;
using Xunit.Abstractions;
using static Virt.Protocol.Api.DomainCommands;

namespace Virt.Protocol.Tests.Fuzz;

/// <summary>Mutated frames, envelopes and call bodies only ever give RPC errors with a message: no crash, no hang.</summary>
public sealed class WireFuzzTests(ITestOutputHelper output)
{
    private static readonly IDomainCommand[] Samples =
    [
        new DefineDomain("<domain type='qemu'><name>a</name></domain>"),
        new UndefineDomain(DomainRef.ByName("vm")),
        new CreateDomain("<domain/>", DomainCreateFlags.Autodestroy),
        new LookupDomain(DomainRef.ById(3)),
        new ListDomains(ListDomainsFlags.Active),
        new SetAutostart(DomainRef.ByUuid(new DomainUuid(Guid.NewGuid())), true),
        new MigrateDomain(DomainRef.ByName("vm"), "node-b", DomainMigrateFlags.Offline | DomainMigrateFlags.Persistent),
        new GetDomainXml(DomainRef.ByName("vm"), Inactive: true),
        new GetDomainInfo(DomainRef.ByName("vm")),
        new StartDomain(DomainRef.ByName("vm"), DomainCreateFlags.StartPaused),
        new ShutdownDomain(DomainRef.ByName("vm"), TimeSpan.FromSeconds(3)),
        new DestroyDomain(DomainRef.ByName("vm"), DomainDestroyFlags.Graceful),
        new SuspendDomain(DomainRef.ByName("vm")),
        new ResumeDomain(DomainRef.ByName("vm")),
        new RebootDomain(DomainRef.ByName("vm")),
        new ResetDomain(DomainRef.ByName("vm")),
        new QemuMonitorCommand(DomainRef.ByName("vm"), "{\"execute\":\"query-status\"}"),
        new AttachDomain(4242),
        new DomainQueries.GetDomainStats([DomainRef.ByName("vm")], DomainStatsGroups.Block, ListDomainsFlags.Active),
        new DomainQueries.GetMemoryStats(DomainRef.ByName("vm")),
        new DomainJobs.GetJobStats(DomainRef.ByName("vm"), DomainJobStatsFlags.Completed | DomainJobStatsFlags.KeepCompleted),
        new DomainJobs.AbortJob(DomainRef.ByName("vm")),
        new DomainResources.SetMemory(DomainRef.ByName("vm"), 8192, DomainModificationFlags.Config),
        new DomainResources.SetVcpus(DomainRef.ByName("vm"), 2, DomainModificationFlags.Live),
        new DomainSaves.SaveDomain(DomainRef.ByName("vm"), "/images/vm.save", DomainSaveFlags.Paused),
        new DomainSaves.ManagedSaveDomain(DomainRef.ByName("vm")),
        new DomainSaves.RemoveManagedSave(DomainRef.ByName("vm")),
        new DomainSaves.RestoreDomain("/images/vm.save", DomainSaveFlags.Running),
        new DomainSnapshots.CreateSnapshot(DomainRef.ByName("vm"), "<domainsnapshot><name>s1</name></domainsnapshot>"),
        new DomainSnapshots.ListSnapshots(DomainRef.ByName("vm")),
        new DomainSnapshots.GetSnapshot(DomainRef.ByName("vm"), null),
        new DomainSnapshots.RevertSnapshot(DomainRef.ByName("vm"), "s1", SnapshotRevertFlags.Paused),
        new DomainSnapshots.DeleteSnapshot(DomainRef.ByName("vm"), "s1", SnapshotDeleteFlags.MetadataOnly),
        new DomainDevices.AttachDevice(DomainRef.ByName("vm"), "<disk type='file' device='disk'><source file='/x'/><target dev='vdb' bus='virtio'/></disk>"),
        new DomainDevices.DetachDevice(DomainRef.ByName("vm"), "<disk type='file' device='disk'><target dev='vdb'/></disk>", DomainModificationFlags.Config),
        new DomainDevices.UpdateDevice(DomainRef.ByName("vm"), "<disk type='file' device='cdrom'><target dev='hdc'/></disk>", DomainModificationFlags.Live),
        new TakeScreenshot(DomainRef.ByName("vm"), Screen: 2),
        new ConsoleCommands.OpenConsole(DomainRef.ByName("vm"), "serial0", Force: true),
    ];

    [Fact]
    public void Every_procedure_has_a_sample_to_mutate()
    {
        Assert.Equal(Procedures.Names.Order(), Samples.Select(Procedures.NameOf).Order());
    }

    private static bool IsRpcRefusal(Exception e) =>
        e is VirtException { Code: ErrorCode.Rpc } v && !string.IsNullOrWhiteSpace(v.Message);

    private static byte[] SampleFrame(Random random)
    {
        var command = Mutations.Pick(random, Samples);
        return FrameCodec.Encode(new WireEnvelope
        {
            Type = MessageType.Call,
            Serial = random.NextInt64(),
            Procedure = Procedures.NameOf(command),
            Body = Procedures.EncodeCommand(command),
        });
    }

    [Fact]
    public void Mutated_frames_read_from_a_stream_are_decoded_or_refused_as_rpc_errors()
    {
        var result = FuzzLoop.Run("frame",
            random =>
            {
                var frame = Mutations.Bytes(random, SampleFrame(random));
                // Keep the header honest half the time, so mutations reach the JSON instead of the length check.
                if (random.Next(2) == 0 && frame.Length >= 4)
                    BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)(frame.Length - 4));
                return frame;
            },
            frame =>
            {
                using var stream = new MemoryStream(frame);
                var envelope = FrameCodec.ReadAsync(stream, maxFrameBytes: 64 * 1024).GetAwaiter().GetResult();
                return envelope is not null;
            },
            IsRpcRefusal,
            frame => Convert.ToHexString(frame));
        output.WriteLine(result.ToString());
        Assert.True(result.Iterations > 0);
    }

    [Fact]
    public void Random_json_shapes_for_every_procedure_decode_to_complete_commands_or_rpc_errors()
    {
        var procedures = Procedures.Names.ToList();
        var result = FuzzLoop.Run("call-body",
            random =>
            {
                var procedure = Mutations.Pick(random, procedures);
                var sample = Samples.First(s => Procedures.NameOf(s) == procedure);
                var node = JsonNode.Parse(Procedures.EncodeCommand(sample).GetRawText())!;
                return (Procedure: random.Next(40) == 0 ? Mutations.Hostile(random) : procedure, Body: JsonShapes.Mutate(random, node)?.ToJsonString());
            },
            input =>
            {
                JsonElement? body = input.Body is null ? null : JsonDocument.Parse(input.Body).RootElement.Clone();
                var command = Procedures.DecodeCommand(input.Procedure, body);
                AssertComplete(command, input.Body);
                return true;
            },
            IsRpcRefusal,
            input => $"{input.Procedure} {input.Body}");
        output.WriteLine(result.ToString());
        Assert.True(result.Iterations > 0);
    }

    [Fact]
    public void Mutated_envelope_json_gives_an_envelope_with_a_procedure_or_an_rpc_error()
    {
        var result = FuzzLoop.Run("envelope",
            random => Mutations.Bytes(random, SampleFrame(random)[4..]),
            json =>
            {
                var envelope = FrameCodec.Decode(json);
                Assert.False(string.IsNullOrEmpty(envelope.Procedure));
                return true;
            },
            IsRpcRefusal,
            json => Encoding.UTF8.GetString(json));
        output.WriteLine(result.ToString());
        Assert.True(result.Iterations > 0);
    }

    [Theory]
    [InlineData("{\"domain\":{}}", "has 0")]
    [InlineData("{\"domain\":{\"name\":\"vm\",\"id\":1}}", "has 2")]
    [InlineData("{\"domain\":{\"flags\":{\"name\":\"vm\"}}}", "has 0")]
    public void A_domain_reference_naming_no_single_domain_is_an_rpc_error(string body, string expected)
    {
        var error = Assert.Throws<VirtException>(() => Procedures.DecodeCommand("domain.undefine", JsonDocument.Parse(body).RootElement));
        Assert.Equal(ErrorCode.Rpc, error.Code);
        Assert.Contains("exactly one of name, uuid or id", error.Message);
        Assert.Contains(expected, error.Message);
    }

    private static readonly NullabilityInfoContext Nullability = new();

    /// <summary>A decoded command carries every member its record declares non-nullable, and a domain reference names one thing.</summary>
    private static void AssertComplete(object value, string? body)
    {
        foreach (var property in value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.PropertyType.IsValueType || property.GetIndexParameters().Length > 0 || property.Name == "EqualityContract")
                continue;
            var member = property.GetValue(value);
            if (member is null && Nullability.Create(property).ReadState == NullabilityState.NotNull)
                throw new FuzzFailure($"{value.GetType().Name}.{property.Name} decoded as null from {body}");
            if (member is DomainRef domain && new object?[] { domain.Name, domain.Uuid, domain.Id }.Count(x => x is not null) != 1)
                throw new FuzzFailure($"{value.GetType().Name}.{property.Name} decoded as a reference naming no single domain ({domain}) from {body}");
        }
    }
}
