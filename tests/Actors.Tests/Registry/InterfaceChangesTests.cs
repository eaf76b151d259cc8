using Virt.Actors.Registry;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;

namespace Virt.Actors.Tests.Registry;

public sealed class InterfaceChangesTests
{
    private static readonly InterfaceDevice First = new() { Type = InterfaceType.User, Mac = "52:54:00:00:00:01", Model = "virtio" };
    private static readonly InterfaceDevice Second = new() { Type = InterfaceType.User, Mac = "52:54:00:00:00:02", Model = "e1000" };

    private static DomainDefinition Vm(params InterfaceDevice[] nics) => new()
    {
        Name = "vm",
        Uuid = Guid.NewGuid(),
        MemoryKiB = 16384,
        Os = new OsConfig(),
        Devices = new DeviceSet { Interfaces = nics },
    };

    private static InterfaceDevice ByMac(string mac) => new() { Type = InterfaceType.User, Mac = mac };

    [Fact]
    public void An_attach_gets_virtio_and_a_fresh_mac_in_qemus_range_and_keeps_what_was_written()
    {
        var config = Vm(First);
        var completed = InterfaceChanges.Completed(new InterfaceDevice { Type = InterfaceType.User, Alias = "net7" }, config, new Random(1));
        Assert.Equal("virtio", completed.Model);
        Assert.Matches("^52:54:00:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}$", completed.Mac);
        Assert.NotEqual(First.Mac, completed.Mac);
        Assert.Null(completed.Alias); // QEMU's id, decided by the running domain
        Assert.Equal(Second, InterfaceChanges.Completed(Second, config, new Random(1)));
    }

    [Fact]
    public void A_new_mac_is_none_the_domain_has()
    {
        // The same seed draws the same first address: taken, it is skipped.
        var first = InterfaceChanges.NewMac([], new Random(7));
        Assert.NotEqual(first, InterfaceChanges.NewMac([first], new Random(7)));
    }

    [Fact]
    public void A_duplicate_mac_is_refused_and_the_config_keeps_no_alias()
    {
        var duplicate = Assert.Throws<VirtException>(() => InterfaceChanges.Attach(Vm(First), Second with { Mac = First.Mac }));
        Assert.Equal((ErrorCode.InvalidArg, "mac 52:54:00:00:00:01 already exists"), (duplicate.Code, duplicate.Message));
        Assert.Null(InterfaceChanges.Attach(Vm(), First with { Alias = "net0" }).Devices.Interfaces.Single().Alias);
    }

    [Fact]
    public void A_plugged_nic_takes_the_first_id_no_live_nic_has_so_a_removal_never_makes_two_alike()
    {
        // net0 and net1 from the start (no aliases yet, their index); net0 went away: the live list is net1 alone.
        var started = Vm(First, Second);
        var (afterRemoval, removed) = InterfaceChanges.Detach(InterfaceChanges.Pinned(started), ByMac(First.Mac!));
        Assert.Equal("net0", removed.Alias);
        Assert.Equal(["net1"], afterRemoval.Devices.Interfaces.Select(n => n.Alias));

        var third = First with { Mac = "52:54:00:00:00:03" };
        var (plugged, nic) = InterfaceChanges.Plug(afterRemoval, third);
        Assert.Equal("net0", nic.Alias);
        var (again, next) = InterfaceChanges.Plug(plugged, third with { Mac = "52:54:00:00:00:04" });
        Assert.Equal("net2", next.Alias);
        Assert.Equal(["net1", "net0", "net2"], again.Devices.Interfaces.Select(n => n.Alias));
        Assert.Equal(Second with { Alias = "net1" }, InterfaceChanges.ByAlias(again, "net1"));
    }

    [Fact]
    public void Only_user_and_ethernet_interfaces_are_hot_plugged()
    {
        var bridge = new InterfaceDevice { Type = InterfaceType.Bridge, SourceName = "br0", Mac = "52:54:00:00:00:09" };
        var refused = Assert.Throws<VirtException>(() => InterfaceChanges.Plug(Vm(), bridge));
        Assert.Equal(ErrorCode.OperationUnsupported, refused.Code);
        Assert.Contains("type 'bridge' cannot be hot-plugged", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_interface_is_found_as_libvirt_finds_it_by_mac_then_address_and_alias()
    {
        var pci = new DeviceAddress { Type = "pci", Attributes = [new("domain", "0x0000"), new("bus", "0x00"), new("slot", "0x03"), new("function", "0x0")] };
        var vm = Vm(First with { Address = pci }, Second);
        Assert.Equal(1, InterfaceChanges.IndexOf(vm, ByMac(Second.Mac!)));
        Assert.Equal(0, InterfaceChanges.IndexOf(vm, new InterfaceDevice { Type = InterfaceType.User, Address = pci with { Attributes = [new("slot", "3")] } }));

        var ambiguous = Assert.Throws<VirtException>(() => InterfaceChanges.IndexOf(vm, new InterfaceDevice { Type = InterfaceType.User }));
        Assert.Equal((ErrorCode.OperationFailed, "multiple matching devices found"), (ambiguous.Code, ambiguous.Message));
        var missing = Assert.Throws<VirtException>(() => InterfaceChanges.Detach(vm, ByMac("52:54:00:aa:bb:cc")));
        Assert.Equal((ErrorCode.DeviceMissing, "no device found at address '(<null>)' matching MAC address '52:54:00:aa:bb:cc' and alias '(<null>)'"),
            (missing.Code, missing.Message));
        var wrongSlot = Assert.Throws<VirtException>(() => InterfaceChanges.IndexOf(vm, First with { Address = pci with { Attributes = [new("slot", "0x04")] } }));
        Assert.Equal("no device found at address '0000:00:04.0' matching MAC address '52:54:00:00:00:01' and alias '(<null>)'", wrongSlot.Message);
        Assert.Throws<VirtException>(() => InterfaceChanges.IndexOf(InterfaceChanges.Pinned(vm), Second with { Alias = "net0" }));
    }

    [Fact]
    public void A_config_update_replaces_the_interface_but_keeps_its_mac_and_address_and_a_live_one_changes_nothing()
    {
        var pci = new DeviceAddress { Type = "pci", Attributes = [new("slot", "0x03")] };
        var vm = Vm(First with { Address = pci });
        var updated = InterfaceChanges.Update(vm, new InterfaceDevice { Type = InterfaceType.User, Model = "e1000" }).Devices.Interfaces.Single();
        Assert.Equal(First with { Model = "e1000", Address = pci }, updated);

        InterfaceChanges.CheckLiveUpdate(vm, ByMac(First.Mac!)); // nothing asked to change
        var model = Assert.Throws<VirtException>(() => InterfaceChanges.CheckLiveUpdate(vm, First with { Model = "e1000" }));
        Assert.Equal((ErrorCode.OperationUnsupported, "cannot modify network device model from virtio to e1000"), (model.Code, model.Message));
    }

    [Fact]
    public void Interface_documents_are_told_from_disks()
    {
        Assert.True(InterfaceChanges.IsInterface("<interface type='user'/>"));
        Assert.False(InterfaceChanges.IsInterface("<disk type='file'/>"));
        Assert.False(InterfaceChanges.IsInterface("<interface")); // the disk's parse names the error
    }
}
