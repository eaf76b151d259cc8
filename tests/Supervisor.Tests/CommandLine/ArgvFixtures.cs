using Virt.Protocol.Domains;
using Virt.Supervisor.Capabilities;
using Virt.Supervisor.CommandLine;

namespace Virt.Supervisor.Tests.CommandLine;

/// <summary>Definitions, capabilities and argv look-ups built in code, so argv builder tests depend on neither the XML parser nor the probe.</summary>
internal static class ArgvFixtures
{
    public static readonly Guid Uuid = Guid.Parse("c7a5fdbd-edaf-9455-926a-d65c16db1809");

    public static DomainDefinition Minimal(string machine = "pc") => new()
    {
        Name = "QEMUGuest1",
        Uuid = Uuid,
        MemoryKiB = 219100,
        CurrentMemoryKiB = 219100,
        Os = new OsConfig { Arch = "x86_64", Machine = machine },
        Devices = new DeviceSet { Memballoon = new MemballoonDevice { Model = "none" } },
    };

    /// <summary>Capabilities shaped like QEMU 7.2's: pc and q35 aliases, TCG only.</summary>
    public static QemuCapabilities Caps(bool sandbox = true, bool kvm = false) => new()
    {
        EmulatorPath = "/usr/bin/qemu-system-x86_64",
        Version = new Version(7, 2, 0),
        Machines =
        [
            new MachineType("pc-i440fx-7.2", "pc", IsDefault: true, MaxCpus: 255, Deprecated: false),
            new MachineType("pc-q35-7.2", "q35", IsDefault: false, MaxCpus: 288, Deprecated: false),
            new MachineType("microvm", null, IsDefault: false, MaxCpus: 288, Deprecated: false),
        ],
        KvmPresent = kvm,
        KvmEnabled = kvm,
        Accelerators = kvm ? ["tcg", "kvm"] : ["tcg"],
        SupportsSandbox = sandbox,
    };

    public static QemuArgvContext Context { get; } = new("/run/virt/qemu/1/monitor.sock", "/run/virt/qemu/1");

    public static IReadOnlyList<string> Build(DomainDefinition def, QemuCapabilities? caps = null) =>
        QemuArgvBuilder.Build(def, caps ?? Caps(), Context.WithTapPlaceholders(def)).Arguments;

    public static DomainDefinition WithDevices(this DomainDefinition def, Func<DeviceSet, DeviceSet> change) =>
        def with { Devices = change(def.Devices) };

    public static DiskDevice FileDisk(string target, DiskBus bus, string path = "/var/lib/img.raw", DiskDeviceKind kind = DiskDeviceKind.Disk) =>
        new() { TargetDev = target, TargetBus = bus, SourcePath = path, Device = kind };

    /// <summary>The values that follow every occurrence of <paramref name="option"/>.</summary>
    public static List<string> ValuesOf(this IReadOnlyList<string> argv, string option) =>
        argv.Select((a, i) => (a, i)).Where(x => x.a == option && x.i + 1 < argv.Count).Select(x => argv[x.i + 1]).ToList();

    /// <summary>The -device JSON objects whose driver is <paramref name="driver"/>.</summary>
    public static List<System.Text.Json.Nodes.JsonObject> Devices(this IReadOnlyList<string> argv, string driver) =>
        argv.ValuesOf("-device").Where(v => v.StartsWith('{')).Select(v => System.Text.Json.Nodes.JsonNode.Parse(v)!.AsObject())
            .Where(o => (string?)o["driver"] == driver).ToList();
}
