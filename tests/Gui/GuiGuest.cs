using Virt.Integration.Tests.Support;

namespace Virt.Gui.Tests;

/// <summary>The test guest as a GUI user's VM: a title for the list, a pty serial console, and a VNC display on loopback.</summary>
public static class GuiGuest
{
    /// <remarks>The serial console's output is logged where TestGuest reads the guest's ready line.</remarks>
    public static string Xml(string dir, string name, string title) =>
        TestGuest.Xml(dir, name, serial: $"<serial type='pty'><log file='{TestGuest.SerialPath(dir, name)}' append='on'/><target port='0'/></serial>"
            + "<console type='pty'><target type='serial' port='0'/></console>")
            .Replace("</name>", $"</name>\n  <title>{title}</title>", StringComparison.Ordinal)
            .Replace("</devices>", "<graphics type='vnc' autoport='yes' listen='127.0.0.1'/><video><model type='cirrus'/></video></devices>", StringComparison.Ordinal);
}
