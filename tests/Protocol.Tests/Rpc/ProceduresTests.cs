using System.Text.Json;
using Virt.Protocol.Api;
using Virt.Protocol.Errors;
using Virt.Protocol.Events;
using Virt.Protocol.Rpc;
using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Protocol.Tests.Rpc;

public class ProceduresTests
{
    private static readonly DomainRef Vm = DomainRef.ByName("vm1");

    public static TheoryData<IDomainCommand> Commands() =>
    [
        new DefineDomain("<domain/>"),
        new UndefineDomain(Vm),
        new CreateDomain("<domain/>", DomainCreateFlags.Autodestroy | DomainCreateFlags.StartPaused),
        new LookupDomain(DomainRef.ByUuid(DomainUuid.Parse("c7a5fdbd-edaf-9455-926a-d65c16db1809"))),
        new ListDomains(ListDomainsFlags.Active | ListDomainsFlags.Persistent),
        new SetAutostart(Vm, true),
        new MigrateDomain(Vm, "node-b", DomainMigrateFlags.Offline | DomainMigrateFlags.Persistent),
        new ListDomains(ListDomainsFlags.All, AllHosts: true, Host: "node-b"),
        new DefineDomain("<domain/>", "auto"),
        new GetDomainXml(DomainRef.ById(3), Inactive: true),
        new GetDomainInfo(Vm),
        new StartDomain(Vm, DomainCreateFlags.Autodestroy),
        new ShutdownDomain(Vm),
        new DestroyDomain(Vm),
        new SuspendDomain(Vm),
        new ResumeDomain(Vm),
        new RebootDomain(Vm),
        new ResetDomain(Vm),
        new DestroyDomain(Vm, DomainDestroyFlags.Graceful),
        new QemuMonitorCommand(Vm, """{"execute":"query-status"}"""),
        new AttachDomain(4242),
        new TakeScreenshot(Vm, Screen: 1),
    ];

    [Theory]
    [MemberData(nameof(Commands))]
    public void Every_command_round_trips_under_its_procedure(IDomainCommand command)
    {
        var name = Procedures.NameOf(command);
        var decoded = Procedures.DecodeCommand(name, Procedures.EncodeCommand(command));
        Assert.Equal(command, decoded);
    }

    [Fact]
    public void Every_command_record_has_a_procedure()
    {
        var commandTypes = typeof(DomainCommands).Assembly.GetTypes()
            .Where(t => t.IsClass && !t.IsAbstract && typeof(IDomainCommand).IsAssignableFrom(t)).ToList();
        Assert.Contains(typeof(DomainQueries.GetDomainStats), commandTypes);
        Assert.All(commandTypes, t => Assert.Contains(t, Procedures.CommandTypes.Keys));
    }

    [Fact]
    public void Commands_on_the_wire_carry_names_not_types()
    {
        var json = Procedures.EncodeCommand(new StartDomain(Vm, DomainCreateFlags.Autodestroy)).GetRawText();
        Assert.Equal("""{"domain":{"name":"vm1","uuid":null,"id":null},"flags":"autodestroy"}""", json.Replace(" ", ""), ignoreCase: true);
    }

    public static TheoryData<IDomainReply> Replies()
    {
        var summary = new DomainSummary(new DomainName("vm1"), DomainUuid.Parse("c7a5fdbd-edaf-9455-926a-d65c16db1809"), 4,
            DomainState.Running, (int)RunningReason.Booted, Persistent: true, Autostart: false);
        return
        [
            summary,
            new DomainList([summary, summary with { Id = null, State = DomainState.Shutoff }]),
            new DomainXmlDescription(new DomainName("vm1"), "<domain type='qemu'/>"),
            new DomainInfo(summary, 65536, 32768, 2, 123456789),
            new QemuMonitorReply("""{"return":{}}"""),
            new ScreenshotImage(ScreenshotImage.Png, [0x89, (byte)'P', (byte)'N', (byte)'G']),
        ];
    }

    [Theory]
    [MemberData(nameof(Replies))]
    public void Every_reply_round_trips_with_its_kind(IDomainReply reply)
    {
        var decoded = Procedures.DecodeReply(Procedures.EncodeReply(reply));
        Assert.Equal(JsonSerializer.Serialize<object>(reply), JsonSerializer.Serialize<object>(decoded));
    }

    [Fact]
    public void An_error_reply_becomes_its_exception()
    {
        var e = Assert.Throws<VirtException>(() => Procedures.EncodeReply(new ErrorReply(ErrorCode.NoDomain, "no domain 'x'")));
        Assert.Equal((ErrorCode.NoDomain, "no domain 'x'"), (e.Code, e.Message));
    }

    [Fact]
    public void Events_round_trip()
    {
        var evt = DomainLifecycleEvent.Stopped(new DomainName("vm1"), DomainUuid.Parse("c7a5fdbd-edaf-9455-926a-d65c16db1809"), StoppedDetail.Destroyed);
        Assert.Equal(evt, Procedures.DecodeEvent(Procedures.EncodeEvent(evt)));
    }

    [Theory]
    [InlineData("domain.nuke", """{}""", "unknown procedure 'domain.nuke'")]
    [InlineData("domain.start", """[]""", "must be a JSON object")]
    [InlineData("domain.start", """{"domain":{"name":"a/b"}}""", "must not contain '/'")]
    [InlineData("domain.start", """{"domain":{"uuid":"nope"}}""", "domain UUID")]
    [InlineData("domain.define", """{}""", "malformed body")]
    [InlineData("domain.define", """{"xml":42}""", "malformed body")]
    [InlineData("domain.list", """{"filter":"everything"}""", "malformed body")]
    public void Bad_bodies_are_rpc_errors_naming_the_problem(string procedure, string body, string expected)
    {
        var e = Assert.Throws<VirtException>(() => Procedures.DecodeCommand(procedure, JsonDocument.Parse(body).RootElement));
        Assert.Equal(ErrorCode.Rpc, e.Code);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Unknown_reply_kinds_are_rpc_errors()
    {
        var e = Assert.Throws<VirtException>(() => Procedures.DecodeReply(JsonDocument.Parse("""{"kind":"Virt.Secret","value":{}}""").RootElement));
        Assert.Contains("unknown reply kind", e.Message);
    }

    [Fact]
    public void A_command_whose_reply_carries_a_descriptor_is_named_but_never_encoded()
    {
        var open = new OpenGraphics(Vm, 0, SkipAuth: true);
        Assert.Equal(Procedures.OpenGraphicsProcedure, Procedures.NameOf(open));
        Assert.DoesNotContain(Procedures.OpenGraphicsProcedure, Procedures.Names);
        var refusals = new Action[]
        {
            () => Procedures.EncodeCommand(open),
            () => Procedures.DecodeCommand(Procedures.OpenGraphicsProcedure, JsonDocument.Parse("{}").RootElement),
            () => Procedures.EncodeReply(new GraphicsOpened(new DomainName("vm1"))),
            () => Procedures.KindOf(new GraphicsOpened(new DomainName("vm1"))),
        };
        foreach (var refusal in refusals)
        {
            var e = Assert.Throws<VirtException>(refusal);
            Assert.Equal(ErrorCode.ConfigUnsupported, e.Code);
            Assert.Contains("domain.open-graphics hands over a file descriptor", e.Message);
        }
    }
}
