using System.Net;
using System.Net.Sockets;

namespace Virt.Gui.Tests.Support;

/// <summary>
/// cockpit as a non-root user (cockpit-machines hides the session connection from root) on a private session bus:
/// dbus-daemon, libvirt-dbus --session (unpacked by scripts/setup.sh, never installed: its package pulls libvirt's
/// daemon) and cockpit-ws --local-session on a free loopback port. libvirt-dbus has its qemu:///session URI compiled
/// in; libvirt's client finds that at $XDG_RUNTIME_DIR/libvirt/virtqemud-sock, where virtd --libvirt-sockets listens.
/// Each is started through setpriv, so each pid is the real program's; all are killed by pid on dispose.
/// </summary>
public sealed class CockpitSession : IDisposable
{
    public const string Unpacked = "/var/cache/virt-test/cockpit";
    public const string LibvirtDbus = Unpacked + "/usr/sbin/libvirt-dbus";
    public const string CockpitWs = "/usr/lib/cockpit/cockpit-ws";

    private readonly List<UserProcess> _processes = [];

    private CockpitSession(int port) => Port = port;

    public int Port { get; }

    public string MachinesUrl => $"http://127.0.0.1:{Port}/cockpit/@localhost/machines/index.html";

    /// <summary>What each of them runs with: the user's home and runtime directory, no libvirt daemon autostart.</summary>
    public static Dictionary<string, string> Environment(string home, string runtimeDir) => new()
    {
        ["HOME"] = home,
        ["USER"] = "nobody",
        ["XDG_RUNTIME_DIR"] = runtimeDir,
        ["LIBVIRT_AUTOSTART"] = "0",
        ["LANG"] = "C.UTF-8",
    };

    public static bool Installed => File.Exists(LibvirtDbus) && File.Exists(CockpitWs) && File.Exists(HeadlessChromium.Binary)
        && Directory.Exists(Unpacked + "/usr/share/cockpit/machines");

    public static async Task<CockpitSession> StartAsync(int uid, string home, string runtimeDir)
    {
        var session = new CockpitSession(FreePort());
        try
        {
            var bus = Path.Combine(runtimeDir, "bus");
            var environment = Environment(home, runtimeDir);
            environment["DBUS_SESSION_BUS_ADDRESS"] = "unix:path=" + bus;
            // cockpit-bridge finds the machines package under XDG_DATA_DIRS/cockpit.
            environment["XDG_DATA_DIRS"] = $"{Unpacked}/usr/share:/usr/share";
            session.Add(UserProcess.Start(uid, environment, "dbus-daemon", "--session", "--nofork", "--nopidfile", "--address=unix:path=" + bus));
            await WaitForAsync(() => File.Exists(bus), "the session bus");
            session.Add(UserProcess.Start(uid, new Dictionary<string, string>(environment) { ["VIRT_DBUS_INTERFACES_DIR"] = Unpacked + "/usr/share/dbus-1/interfaces" }, LibvirtDbus, "--session"));
            session.Add(UserProcess.Start(uid, environment, CockpitWs, "--address", "127.0.0.1", "--port", session.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--local-session=/usr/bin/cockpit-bridge"));
            await WaitForAsync(() => Listening(session.Port), "cockpit-ws");
            return session;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    public string Output => string.Join("\n", _processes.Select(p => p.Output));

    private void Add(UserProcess process) => _processes.Add(process);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool Listening(int port)
    {
        using var client = new TcpClient();
        try
        {
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{what} did not come up");
            await Task.Delay(100);
        }
    }

    /// <summary>cockpit-ws first: its bridge and whatever the bridge spawned (virsh console) go with it.</summary>
    public void Dispose()
    {
        for (var i = _processes.Count - 1; i >= 0; i--)
            _processes[i].Dispose();
    }
}
