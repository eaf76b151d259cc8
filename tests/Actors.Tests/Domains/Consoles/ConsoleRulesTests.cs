using Virt.Actors.Domains.Consoles;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;

namespace Virt.Actors.Tests.Domains.Consoles;

/// <summary>Which device a console open means, and who may hold it: libvirt's rules, without an actor or a QEMU.</summary>
public sealed class ConsoleRulesTests
{
    private static readonly CharDevice Serial0 = new() { SourceType = CharDeviceSourceType.Pty, Path = "/dev/pts/4", Alias = "serial0", TargetPort = 0 };
    private static readonly CharDevice Serial1 = new() { SourceType = CharDeviceSourceType.File, Path = "/l/s1", Alias = "serial1", TargetPort = 1 };
    private static readonly CharDevice Virtio = new() { SourceType = CharDeviceSourceType.Pty, Path = "/dev/pts/5", Alias = "console1", TargetType = "virtio" };

    private static DomainDefinition Live(IReadOnlyList<CharDevice> serials, IReadOnlyList<CharDevice> consoles) =>
        TestSupport.SmallDomains.Definition("c") with { Devices = new DeviceSet { Serials = serials, Consoles = consoles } };

    private static readonly DomainDefinition Both = Live([Serial0, Serial1], [Serial0 with { TargetType = "serial" }, Virtio]);

    [Theory]
    [InlineData(null, "serial0", "/dev/pts/4")]
    [InlineData("console1", "console1", "/dev/pts/5")]
    [InlineData("serial0", "serial0", "/dev/pts/4")]
    public void A_name_is_an_alias_and_none_means_the_first_console(string? name, string alias, string pty)
    {
        Assert.Equal((alias, pty), ConsoleDevices.Find(Both, name, out var error));
        Assert.Null(error);
    }

    [Fact]
    public void Without_consoles_the_first_serial_is_the_console() =>
        Assert.Equal(("serial0", "/dev/pts/4"), ConsoleDevices.Find(Live([Serial0], []), null, out _));

    [Theory]
    [InlineData("serial9", ErrorCode.InternalError, "cannot find character device serial9")]
    [InlineData("serial1", ErrorCode.InternalError, "character device serial1 is not using a PTY")]
    public void A_missing_or_non_pty_device_gets_libvirts_error(string name, ErrorCode code, string message)
    {
        Assert.Null(ConsoleDevices.Find(Both, name, out var error));
        Assert.Equal((code, message), (error!.Code, error.Message));
    }

    [Fact]
    public void A_domain_with_no_serial_or_console_has_no_console()
    {
        Assert.Null(ConsoleDevices.Find(Live([], []), null, out var error));
        Assert.Equal("cannot find character device <null>", error!.Message);
    }

    private sealed class Held(long id, string device) : IHeldConsole
    {
        public long Id { get; } = id;
        public string Device { get; } = device;
        public List<VirtException?> Ends { get; } = [];
        public void End(VirtException? reason) => Ends.Add(reason);
    }

    [Fact]
    public void One_session_per_device_a_second_is_refused_and_a_forced_one_ends_the_first_with_the_reason()
    {
        var sessions = new ConsoleSessions<Held>();
        var first = new Held(1, "serial0");
        Assert.Null(sessions.Admit("serial0", force: false));
        sessions.Add(first);

        var refused = sessions.Admit("serial0", force: false);
        Assert.Equal((ErrorCode.OperationFailed, "Active console session exists for this domain"), (refused!.Code, refused.Message));
        Assert.Null(sessions.Admit("console1", force: false)); // another device is free
        Assert.Empty(first.Ends);

        Assert.Null(sessions.Admit("serial0", force: true));
        Assert.Equal(ConsoleSessions<Held>.TakenOver, Assert.Single(first.Ends)!.Message);
        var second = new Held(2, "serial0");
        sessions.Add(second);
        sessions.Forget(1, "serial0"); // the first one's late news does not free the device
        Assert.NotNull(sessions.Admit("serial0", force: false));

        sessions.EndAll(null);
        Assert.Equal([null], second.Ends);
        Assert.Equal(0, sessions.Count);
    }
}
