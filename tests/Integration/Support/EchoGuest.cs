using Virt.Protocol.Api;
using Virt.Protocol.Client;

namespace Virt.Integration.Tests.Support;

/// <summary>The test guest named "echo" on a pty serial whose log holds what the guest wrote (its ready line, its echoes).</summary>
public static class EchoGuest
{
    public const string Name = "echo";

    public static string LogPath(string dir) => Path.Combine(dir, "echo-serial.log");

    /// <summary>Defines and starts it; with the default pty serial, waits for its ready line in the log.</summary>
    /// <param name="serial">Another serial element (see <see cref="TestGuest.Xml"/>), for the domains a console refuses.</param>
    public static async Task StartAsync(VirtConnection client, string dir, string? serial = null)
    {
        await client.DefineAsync(TestGuest.Xml(dir, Name, serial: serial ?? TestGuest.PtySerial(LogPath(dir))));
        await client.StartAsync(DomainRef.ByName(Name));
        if (serial is null)
            await TestGuest.WaitReadyInAsync(LogPath(dir), Name);
    }
}
