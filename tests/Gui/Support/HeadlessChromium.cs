namespace Virt.Gui.Tests.Support;

/// <summary>
/// Debian's chromium-headless-shell, the real binary (/usr/bin's is a wrapper script, and killing a wrapper leaves the
/// browser running), with its DevTools on a loopback port it picks and reports in its profile directory.
/// </summary>
public sealed class HeadlessChromium : IDisposable
{
    public const string Binary = "/usr/lib/chromium/chromium-headless-shell";

    private readonly UserProcess _process;

    private HeadlessChromium(UserProcess process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    /// <summary>
    /// As root, so without Chromium's sandbox (it needs user namespaces a container may not give). Its background
    /// services are off and every host name but loopback fails to resolve: the test's traffic stays on 127.0.0.1.
    /// </summary>
    public static async Task<HeadlessChromium> StartAsync(string profile, int width, int height)
    {
        Directory.CreateDirectory(profile);
        var process = UserProcess.Start(null, new Dictionary<string, string> { ["HOME"] = profile }, Binary,
            "--no-sandbox", "--disable-gpu", "--disable-crash-reporter", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-default-apps", "--disable-domain-reliability", "--no-pings",
            "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost", "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0", $"--user-data-dir={profile}", $"--window-size={width},{height}", "about:blank");
        var portFile = Path.Combine(profile, "DevToolsActivePort");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (File.Exists(portFile) && File.ReadAllLines(portFile) is [var port, ..] && int.TryParse(port, out var number))
                return new HeadlessChromium(process, number);
            if (process.HasExited)
                break;
            await Task.Delay(100);
        }
        var output = process.Output;
        process.Dispose();
        throw new TimeoutException($"chromium-headless-shell gave no DevTools port:\n{output}");
    }

    public void Dispose() => _process.Dispose();
}
