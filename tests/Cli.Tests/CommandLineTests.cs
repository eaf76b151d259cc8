using System.Text.Json;
using Virt.Cli.Commands;
using Virt.Protocol.Api;
using Virt.Protocol.Connection;
using Virt.Protocol.Errors;
using static Virt.Protocol.Api.DomainCommands;

namespace Virt.Cli.Tests;

/// <summary>What each command line asks the runtime for, and how failures come out: exit 1, one error line, JSON on demand.</summary>
public sealed class CommandLineTests : IDisposable
{
    private readonly TestCli _cli = new();

    public void Dispose() => _cli.Dispose();

    [Theory]
    [InlineData(new string[0], ListDomainsFlags.Active)]
    [InlineData(new[] { "--all" }, ListDomainsFlags.Active | ListDomainsFlags.Inactive)]
    [InlineData(new[] { "--inactive" }, ListDomainsFlags.Inactive)]
    [InlineData(new[] { "--state-shutoff" }, ListDomainsFlags.Inactive | ListDomainsFlags.Shutoff)]
    [InlineData(new[] { "--all", "--state-running", "--state-paused" }, ListDomainsFlags.Active | ListDomainsFlags.Inactive | ListDomainsFlags.Running | ListDomainsFlags.Paused)]
    [InlineData(new[] { "--all", "--autostart" }, ListDomainsFlags.Active | ListDomainsFlags.Inactive | ListDomainsFlags.Autostart)]
    [InlineData(new[] { "--no-autostart", "--persistent" }, ListDomainsFlags.Active | ListDomainsFlags.NoAutostart | ListDomainsFlags.Persistent)]
    [InlineData(new[] { "--inactive", "--transient" }, ListDomainsFlags.Inactive | ListDomainsFlags.Transient)]
    public void List_options_map_to_libvirt_list_flags(string[] options, ListDomainsFlags expected)
    {
        Assert.Equal(new ListDomains(expected), ListCommand.Request(_cli.Parse(["list", .. options])));
    }

    [Fact]
    public void List_name_and_uuid_choose_bare_columns()
    {
        Assert.Equal(new Output.ListView(false, false, true, false), ListCommand.View(_cli.Parse("list", "--all", "--name")));
        Assert.Equal(new Output.ListView(false, true, false, false), ListCommand.View(_cli.Parse("list", "--uuid")));
        Assert.Equal(Output.ListView.Default, ListCommand.View(_cli.Parse("list")));
    }

    [Theory]
    [InlineData(new string[0], DomainCreateFlags.None)]
    [InlineData(new[] { "--paused" }, DomainCreateFlags.StartPaused)]
    [InlineData(new[] { "--autodestroy" }, DomainCreateFlags.Autodestroy)]
    [InlineData(new[] { "--paused", "--autodestroy" }, DomainCreateFlags.StartPaused | DomainCreateFlags.Autodestroy)]
    public void Start_options_map_to_create_flags(string[] options, DomainCreateFlags expected)
    {
        Assert.Equal(new StartDomain(DomainRef.ByName("vm1"), expected), StartCommands.StartRequest(_cli.Parse(["start", "vm1", .. options])));
    }

    [Fact]
    public async Task Create_reads_the_file_and_maps_its_flags()
    {
        var file = Path.Combine(Path.GetDirectoryName(_cli.SocketPath)!, "vm1.xml");
        await File.WriteAllTextAsync(file, "<domain type='qemu'><name>vm1</name></domain>");
        var request = await StartCommands.CreateRequestAsync(_cli.Parse("create", file, "--autodestroy"), CancellationToken.None);
        Assert.Equal(new CreateDomain("<domain type='qemu'><name>vm1</name></domain>", DomainCreateFlags.Autodestroy), request);
    }

    [Theory]
    [InlineData("vm1", "name")]
    [InlineData("7", "id")]
    [InlineData("0", "name")]
    [InlineData("c7a5fdbd-edaf-9455-926a-d65c16db1809", "uuid")]
    public void A_domain_argument_is_an_id_a_uuid_or_a_name(string text, string kind)
    {
        var request = (ShutdownDomain)LifecycleCommands.Request(_cli.Parse("shutdown", text));
        var expected = kind switch
        {
            "id" => DomainRef.ById(int.Parse(text)),
            "uuid" => DomainRef.ByUuid(DomainUuid.Parse(text)),
            _ => DomainRef.ByName(text),
        };
        Assert.Equal(expected, request.Domain);
    }

    [Theory]
    [InlineData("shutdown", typeof(ShutdownDomain))]
    [InlineData("reboot", typeof(RebootDomain))]
    [InlineData("reset", typeof(ResetDomain))]
    [InlineData("destroy", typeof(DestroyDomain))]
    [InlineData("suspend", typeof(SuspendDomain))]
    [InlineData("resume", typeof(ResumeDomain))]
    [InlineData("undefine", typeof(UndefineDomain))]
    public void Each_lifecycle_verb_sends_its_command(string verb, Type expected)
    {
        Assert.IsType(expected, LifecycleCommands.Request(_cli.Parse(verb, "vm1")));
    }

    [Fact]
    public void Autostart_enables_and_disable_turns_it_off()
    {
        Assert.Equal(new SetAutostart(DomainRef.ByName("vm1"), true), DefineCommands.AutostartRequest(_cli.Parse("autostart", "vm1")));
        Assert.Equal(new SetAutostart(DomainRef.ById(3), false), DefineCommands.AutostartRequest(_cli.Parse("autostart", "3", "--disable")));
    }

    [Fact]
    public void Event_filters_by_domain_when_one_is_named()
    {
        Assert.Equal(DomainRef.ByName("vm1"), EventCommand.Request(_cli.Parse("event", "vm1", "--event", "lifecycle")).Domain);
        Assert.Null(EventCommand.Request(_cli.Parse("event", "--all", "--loop")).Domain);
    }

    [Theory]
    [InlineData("event")]
    [InlineData("event", "--all", "--event", "lifecycle")]
    [InlineData("event", "--event", "tray-change")]
    [InlineData("event", "--all", "--timeout", "0")]
    [InlineData("list", "--table", "--name")]
    public async Task Refused_option_combinations_are_one_error_line_and_exit_1(params string[] args)
    {
        var result = await _cli.RunAsync(args);
        Assert.Equal(1, result.Exit);
        Assert.StartsWith("error: ", Assert.Single(result.ErrLines));
        Assert.Empty(_cli.Connected); // refused before connecting
    }

    [Theory]
    [InlineData("frob")]
    [InlineData("start")]
    [InlineData("list", "--bogus")]
    [InlineData("event", "--timeout", "soon", "--all")]
    public async Task Usage_errors_exit_1_with_the_parser_message(params string[] args)
    {
        var result = await _cli.RunAsync(args);
        Assert.Equal(1, result.Exit);
        Assert.All(result.ErrLines, line => Assert.StartsWith("error: ", line));
        Assert.NotEmpty(result.ErrLines);
        Assert.Equal("", result.Out);
    }

    [Fact]
    public async Task A_usage_error_with_json_also_prints_the_error_object()
    {
        var result = await _cli.RunAsync("--json", "frob");
        Assert.Equal(1, result.Exit);
        using var doc = JsonDocument.Parse(result.Out);
        Assert.Equal("INVALID_ARG", doc.RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task No_runtime_at_the_socket_is_one_error_line_exit_1_and_virsh_blank_line()
    {
        var result = await _cli.RunAsync("list", "--all");
        Assert.Equal(1, result.Exit);
        var line = Assert.Single(result.ErrLines);
        Assert.StartsWith("error: ", line);
        Assert.Contains(_cli.SocketPath, line);
        Assert.Equal("\n", result.Out);
    }

    [Fact]
    public async Task With_json_a_failure_is_also_a_json_error_object_on_stdout()
    {
        var result = await _cli.RunAsync("dominfo", "vm1", "--json");
        Assert.Equal(1, result.Exit);
        Assert.Single(result.ErrLines);
        using var doc = JsonDocument.Parse(result.Out);
        var error = doc.RootElement.GetProperty("error");
        // The client library's code for "no daemon there", under its libvirt-style name.
        Assert.NotNull(ErrorCodeNames.FromWireName(error.GetProperty("code").GetString()!));
        Assert.Equal(result.ErrLines[0]["error: ".Length..], error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Quiet_drops_the_blank_line()
    {
        var result = await _cli.RunAsync("-q", "domstate", "vm1");
        Assert.Equal(1, result.Exit);
        Assert.Equal("", result.Out);
    }

    [Fact]
    public async Task A_missing_xml_file_fails_before_connecting()
    {
        var result = await _cli.RunAsync("define", Path.Combine(Path.GetDirectoryName(_cli.SocketPath)!, "absent.xml"));
        Assert.Equal(1, result.Exit);
        Assert.Contains("absent.xml", Assert.Single(result.ErrLines));
        Assert.Empty(_cli.Connected);
    }

    [Fact]
    public async Task The_uri_is_the_option_then_the_environment_then_the_session_default()
    {
        await _cli.RunAsync("domid", "vm1");
        _cli.Environment[ConnectionUri.EnvironmentVariable] = "qemu:///system";
        await _cli.RunAsync("domid", "vm1");
        await _cli.RunAsync("-c", "qemu:///session", "domid", "vm1");
        await _cli.RunAsync("domid", "vm1", "--connect", "qemu:///session");

        Assert.Equal([RuntimeMode.Session, RuntimeMode.System, RuntimeMode.Session, RuntimeMode.Session], _cli.Connected.Select(u => u.Mode));
    }

    [Fact]
    public async Task A_bad_uri_is_refused_with_its_reason()
    {
        var result = await _cli.RunAsync("-c", "xen:///", "list");
        Assert.Equal(1, result.Exit);
        Assert.Contains("unsupported scheme 'xen'", Assert.Single(result.ErrLines));
        Assert.Empty(_cli.Connected);
    }

    [Fact]
    public async Task Version_needs_no_runtime()
    {
        var result = await _cli.RunAsync("version", "--json");
        Assert.Equal(0, result.Exit);
        using var doc = JsonDocument.Parse(result.Out);
        Assert.Equal(InfoCommands.ClientVersion, doc.RootElement.GetProperty("client").GetString());
        Assert.Matches(@"^\d+\.\d+", InfoCommands.ClientVersion);
    }

    [Fact]
    public async Task Event_list_names_the_types_virt_reports()
    {
        var result = await _cli.RunAsync("event", "--list");
        Assert.Equal(0, result.Exit);
        Assert.Equal("lifecycle\nreboot\ndevice-removed\ndevice-added\n\n", result.Out);
    }

    [Fact]
    public void Every_failure_class_exits_1_and_keeps_its_code_name()
    {
        Exception[] failures =
        [
            new VirtException(ErrorCode.NoDomain, "x"), new VirtException(ErrorCode.OperationFailed, "x"),
            new VirtException(ErrorCode.Rpc, "x"), new FileNotFoundException("x"), new InvalidOperationException("bug"),
            new UsageException("x"),
        ];
        Assert.All(failures, f => Assert.Equal(1, ExitCodes.For(f)));
        Assert.Equal(["NO_DOMAIN", "OPERATION_FAILED", "RPC", "SYSTEM_ERROR", "INTERNAL_ERROR", "INVALID_ARG"], failures.Select(ExitCodes.CodeName));
    }
}
