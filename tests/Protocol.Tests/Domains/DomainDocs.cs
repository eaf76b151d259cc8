namespace Virt.Protocol.Tests.Domains;

/// <summary>Builds small domain documents in libvirt's exact layout, so a format of their parse must equal them.</summary>
public static class DomainDocs
{
    /// <summary>A minimal valid domain; <paramref name="devices"/> lines are indented into &lt;devices&gt;.</summary>
    public static string Minimal(string devices = "", string name = "guest", string os = "    <type arch='x86_64' machine='pc'>hvm</type>\n", string afterOs = "", string memory = "<memory unit='KiB'>219136</memory>\n  <currentMemory unit='KiB'>219136</currentMemory>\n") =>
        "<domain type='qemu'>\n" +
        $"  <name>{name}</name>\n" +
        "  <uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid>\n" +
        $"  {memory}" +
        "  <vcpu placement='static'>1</vcpu>\n" +
        "  <os>\n" + os + "  </os>\n" +
        afterOs +
        "  <clock offset='utc'/>\n" +
        "  <on_poweroff>destroy</on_poweroff>\n" +
        "  <on_reboot>restart</on_reboot>\n" +
        "  <on_crash>destroy</on_crash>\n" +
        "  <devices>\n" +
        "    <emulator>/usr/bin/qemu-system-x86_64</emulator>\n" +
        Indent(devices, "    ") +
        "  </devices>\n" +
        "</domain>\n";

    private static string Indent(string block, string prefix) =>
        string.Concat(block.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => prefix + l + "\n"));
}
