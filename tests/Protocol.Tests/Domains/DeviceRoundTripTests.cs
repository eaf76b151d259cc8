using Virt.Protocol.Domains;

namespace Virt.Protocol.Tests.Domains;

public class DeviceRoundTripTests
{
    public static TheoryData<string, string> Devices => new()
    {
        { "disk-file", "<disk type='file' device='disk'>\n  <driver name='qemu' type='qcow2' cache='none'/>\n  <source file='/var/lib/img/a.qcow2'/>\n  <target dev='vda' bus='virtio'/>\n  <boot order='1'/>\n</disk>" },
        { "disk-block-sata", "<disk type='block' device='disk'>\n  <source dev='/dev/sdb'/>\n  <target dev='sda' bus='sata'/>\n  <address type='drive' controller='0' bus='0' target='0' unit='0'/>\n</disk>" },
        { "disk-network", "<disk type='network' device='disk'>\n  <driver name='qemu' type='raw'/>\n  <source protocol='nbd' name='image'>\n    <host name='example.org' port='6000'/>\n  </source>\n  <target dev='vdb' bus='virtio'/>\n</disk>" },
        { "cdrom-empty", "<disk type='file' device='cdrom'>\n  <target dev='hdc' bus='ide'/>\n  <readonly/>\n</disk>" },
        { "floppy", "<disk type='file' device='floppy'>\n  <source file='/tmp/f.img'/>\n  <target dev='fda' bus='fdc'/>\n</disk>" },
        { "disk-usb-scsi", "<disk type='file' device='disk'>\n  <source file='/a'/>\n  <target dev='sdb' bus='usb'/>\n</disk>\n<disk type='file' device='disk'>\n  <source file='/b'/>\n  <target dev='sdc' bus='scsi'/>\n</disk>" },
        { "controller", "<controller type='usb' index='0' model='qemu-xhci'>\n  <address type='pci' domain='0x0000' bus='0x00' slot='0x01' function='0x2'/>\n</controller>\n<controller type='pci' index='0' model='pci-root'/>" },
        { "interface-user", "<interface type='user'>\n  <mac address='52:54:00:12:34:56'/>\n  <ip address='10.0.2.0' family='ipv4' prefix='24'/>\n  <model type='virtio'/>\n  <boot order='2'/>\n</interface>" },
        { "interface-network", "<interface type='network'>\n  <source network='default'/>\n  <model type='e1000'/>\n</interface>" },
        { "interface-bridge", "<interface type='bridge'>\n  <source bridge='br0'/>\n  <target dev='tap3'/>\n</interface>" },
        { "interface-ethernet", "<interface type='ethernet'>\n  <target dev='tap0'/>\n  <model type='rtl8139'/>\n</interface>" },
        { "interface-live", "<interface type='user'>\n  <mac address='52:54:00:12:34:57'/>\n  <model type='virtio'/>\n  <alias name='net3'/>\n  <address type='pci' domain='0x0000' bus='0x00' slot='0x05' function='0x0'/>\n</interface>" },
        { "serial-pty", "<serial type='pty'>\n  <target type='isa-serial' port='0'>\n    <model name='isa-serial'/>\n  </target>\n</serial>\n<console type='pty'>\n  <target type='serial' port='0'/>\n</console>" },
        { "serial-pty-live", "<serial type='pty'>\n  <source path='/dev/pts/3'/>\n  <log file='/var/log/g.log' append='off'/>\n  <target type='isa-serial' port='0'>\n    <model name='isa-serial'/>\n  </target>\n  <alias name='serial0'/>\n</serial>\n<console type='pty' tty='/dev/pts/3'>\n  <source path='/dev/pts/3'/>\n  <log file='/var/log/g.log' append='off'/>\n  <target type='serial' port='0'/>\n  <alias name='serial0'/>\n</console>" },
        { "serial-file", "<serial type='file'>\n  <source path='/tmp/serial.log' append='on'/>\n  <target port='0'/>\n</serial>" },
        { "serial-unix", "<serial type='unix'>\n  <source mode='bind' path='/tmp/s.sock'/>\n  <target port='0'/>\n</serial>" },
        { "serial-tcp", "<serial type='tcp'>\n  <source mode='connect' host='127.0.0.1' service='4555'/>\n  <protocol type='telnet'/>\n  <target port='0'/>\n</serial>" },
        { "serial-null", "<serial type='null'>\n  <target port='0'/>\n</serial>" },
        { "console-virtio", "<console type='pty'>\n  <target type='virtio' port='0'/>\n</console>" },
        { "input", "<input type='tablet' bus='usb'/>\n<input type='keyboard' bus='ps2'/>" },
        { "graphics-vnc", "<graphics type='vnc' port='5903' autoport='no' listen='127.0.0.1'>\n  <listen type='address' address='127.0.0.1'/>\n</graphics>" },
        { "graphics-vnc-socket", "<graphics type='vnc' socket='/tmp/vnc.sock'>\n  <listen type='socket' socket='/tmp/vnc.sock'/>\n</graphics>" },
        { "audio", "<audio id='1' type='none'/>" },
        { "video", "<video>\n  <model type='virtio' heads='1' primary='yes'/>\n  <address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x0'/>\n</video>" },
        { "watchdog", "<watchdog model='i6300esb' action='reset'/>" },
        { "memballoon", "<memballoon model='virtio'>\n  <stats period='10'/>\n</memballoon>" },
        { "rng-random", "<memballoon model='none'/>\n<rng model='virtio'>\n  <backend model='random'>/dev/urandom</backend>\n</rng>" },
        { "rng-builtin", "<rng model='virtio'>\n  <backend model='builtin'/>\n</rng>" },
        { "graphics-passwd", "<graphics type='vnc' port='-1' autoport='yes' passwd='x&amp;y' passwdValidTo='2010-04-09T15:51:00'/>" },
        { "filesystem", "<filesystem type='mount' accessmode='mapped' fmode='644' multidevs='remap'>\n  <driver type='path'/>\n  <source dir='/export/fs0'/>\n  <target dir='fs0'/>\n  <readonly/>\n</filesystem>" },
        { "tpm", "<tpm model='tpm-crb'>\n  <backend type='emulator' version='2.0' persistent_state='yes'/>\n</tpm>" },
        { "memballoon-deflate", "<memballoon model='virtio' autodeflate='on' freePageReporting='off'/>" },
        { "rng-rate", "<rng model='virtio'>\n  <backend model='random'>/dev/urandom</backend>\n  <rate bytes='1234' period='2000'/>\n</rng>" },
    };

    [Theory]
    [MemberData(nameof(Devices))]
    public void Device_in_libvirt_layout_formats_back_to_the_same_bytes(string kind, string devices)
    {
        var xml = DomainDocs.Minimal(devices);
        var parsed = DomainXml.Parse(xml);
        Assert.True(xml == DomainXml.Format(parsed, secure: true), $"{kind}: expected\n{xml}\ngot\n{DomainXml.Format(parsed, secure: true)}");
        ModelAssert.Equivalent(parsed, DomainXml.Parse(DomainXml.Format(parsed, secure: true)));
    }

    [Fact]
    public void Disk_fields_are_read_into_the_model()
    {
        var d = DomainXml.Parse(DomainDocs.Minimal((string)Devices.First(r => (string)r[0] == "disk-network")[1])).Devices.Disks.Single();
        Assert.Equal(DiskSourceType.Network, d.SourceType);
        Assert.Equal("nbd", d.NetworkSource!.Protocol);
        Assert.Equal(new NetworkHost("example.org", "6000"), d.NetworkSource.Hosts.Single());
        Assert.Equal(DiskBus.Virtio, d.TargetBus);
        Assert.Equal("raw", d.DriverType);
    }

    [Fact]
    public void Missing_bus_is_taken_from_the_target_name_and_written_out()
    {
        var xml = DomainDocs.Minimal("<disk type='file' device='disk'>\n  <source file='/a'/>\n  <target dev='vda'/>\n</disk>");
        var parsed = DomainXml.Parse(xml);
        Assert.Equal(DiskBus.Virtio, parsed.Devices.Disks.Single().TargetBus);
        Assert.Contains("<target dev='vda' bus='virtio'/>", DomainXml.Format(parsed));
    }

    [Fact]
    public void Char_devices_and_mac_are_read_into_the_model()
    {
        var d = DomainXml.Parse(DomainDocs.Minimal(
            "<interface type='user'>\n  <mac address='52:54:0:AB:3:4'/>\n</interface>\n" +
            "<serial type='tcp'>\n  <source mode='bind' host='0.0.0.0' service='9999'/>\n  <protocol type='raw'/>\n  <target port='1'/>\n</serial>")).Devices;
        Assert.Equal("52:54:00:ab:03:04", d.Interfaces.Single().Mac);
        var serial = d.Serials.Single();
        Assert.Equal((CharDeviceSourceType.Tcp, "bind", "0.0.0.0", "9999", "raw", 1),
            (serial.SourceType, serial.Mode, serial.Host, serial.Service, serial.Protocol, serial.TargetPort));
    }

    [Fact]
    public void One_interface_is_read_and_written_on_its_own_as_the_device_verbs_send_it()
    {
        const string xml = "<interface type='user'>\n  <mac address='52:54:00:12:34:57'/>\n  <model type='virtio'/>\n  <alias name='net3'/>\n</interface>\n";
        var nic = DomainXml.ParseInterface(xml);
        Assert.Equal((InterfaceType.User, "52:54:00:12:34:57", "net3"), (nic.Type, nic.Mac, nic.Alias));
        Assert.Equal(xml, DomainXml.FormatInterface(nic));
        Assert.Equal("interface", DomainXml.DeviceElement(xml));
        Assert.Throws<DomainXmlException>(() => DomainXml.ParseInterface("<disk type='file'/>"));
    }

    [Fact]
    public void Top_level_sections_round_trip()
    {
        var xml = "<domain type='kvm' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>\n" +
            "  <name>full</name>\n" +
            "  <uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid>\n" +
            "  <title>A &apos;title&apos; &amp; more</title>\n" +
            "  <description>Line one\nline &lt;two&gt;</description>\n" +
            "  <memory unit='KiB'>1048576</memory>\n" +
            "  <currentMemory unit='KiB'>524288</currentMemory>\n" +
            "  <vcpu placement='static' cpuset='0-1,^1,3'>2</vcpu>\n" +
            "  <os>\n    <type arch='i686' machine='q35'>hvm</type>\n    <kernel>/boot/vmlinuz</kernel>\n    <initrd>/boot/initrd</initrd>\n    <cmdline>console=ttyS0 quiet</cmdline>\n    <boot dev='cdrom'/>\n    <boot dev='hd'/>\n  </os>\n" +
            "  <features>\n    <acpi/>\n    <apic/>\n    <pae/>\n  </features>\n" +
            "  <cpu mode='host-passthrough' check='none'/>\n" +
            "  <clock offset='localtime'/>\n" +
            "  <on_poweroff>preserve</on_poweroff>\n  <on_reboot>destroy</on_reboot>\n  <on_crash>coredump-restart</on_crash>\n" +
            "  <devices>\n  </devices>\n" +
            "  <qemu:commandline>\n    <qemu:arg value='-no-hpet'/>\n  </qemu:commandline>\n" +
            "</domain>\n";
        var d = DomainXml.Parse(xml);
        Assert.Equal(xml.Replace("  <devices>\n  </devices>\n", "  <devices/>\n"), DomainXml.Format(d));
        Assert.Equal(DomainType.Kvm, d.Type);
        Assert.Equal("A 'title' & more", d.Title);
        Assert.Equal(524288UL, d.CurrentMemoryKiB);
        Assert.Equal([BootDevice.Cdrom, BootDevice.HardDisk], d.Os.BootDevices);
        Assert.Equal((true, true, true), (d.Features.Acpi, d.Features.Apic, d.Features.Pae));
        Assert.Equal(LifecycleAction.CoredumpRestart, d.OnCrash);
        Assert.Equal(["-no-hpet"], d.QemuCommandLine);
    }
}
