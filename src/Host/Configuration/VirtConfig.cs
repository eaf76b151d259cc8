using Akka.Configuration;
using Virt.Actors.Runtime;
using Virt.Protocol.Errors;
using Virt.Supervisor.Paths;

namespace Virt.Host.Configuration;

/// <summary>
/// Reads config.hocon (the shipped defaults, then an optional file given by --config or VIRT_CONFIG) into
/// the runtime and host settings. Anything the file does not set keeps the code default.
/// </summary>
public sealed record VirtConfig(Config Hocon, VirtRuntimeSettings Runtime, HostSettings Host)
{
    public const string EnvironmentVariable = "VIRT_CONFIG";

    public static VirtConfig Load(VirtPaths paths, string? overrideFile = null)
    {
        var config = ConfigurationFactory.Empty;
        overrideFile ??= Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(overrideFile))
            config = ParseFile(overrideFile);
        var shipped = Path.Combine(AppContext.BaseDirectory, "config.hocon");
        if (File.Exists(shipped))
            config = config.WithFallback(ParseFile(shipped));
        return FromHocon(config, paths);
    }

    public static VirtConfig FromHocon(Config config, VirtPaths paths)
    {
        var runtimeDefaults = new VirtRuntimeSettings { Paths = paths };
        var hostDefaults = new HostSettings();
        try
        {
            var virt = config.HasPath("virt") ? config.GetConfig("virt") : ConfigurationFactory.Empty;
            var runtime = runtimeDefaults with
            {
                DefaultEmulator = virt.GetString("emulator", runtimeDefaults.DefaultEmulator),
                KillTimeout = virt.GetTimeSpan("kill-timeout", runtimeDefaults.KillTimeout),
                JobWait = virt.GetTimeSpan("job-wait", runtimeDefaults.JobWait),
                QmpTimeout = virt.GetTimeSpan("qmp-timeout", runtimeDefaults.QmpTimeout),
                StartTimeout = virt.GetTimeSpan("start-timeout", runtimeDefaults.StartTimeout),
                Autostart = virt.GetBoolean("autostart", runtimeDefaults.Autostart),
                Networks = ParseNetworks(virt),
            };
            var host = hostDefaults with
            {
                MaxClients = virt.GetInt("max-clients", hostDefaults.MaxClients),
                MaxCallsInFlight = virt.GetInt("max-calls-in-flight", hostDefaults.MaxCallsInFlight),
                MaxFrameBytes = (int)(virt.GetByteSize("max-frame-size") ?? hostDefaults.MaxFrameBytes),
                MaxQueuedEvents = virt.GetInt("max-queued-events", hostDefaults.MaxQueuedEvents),
                MaxQueuedBytes = virt.GetByteSize("max-queued-bytes") ?? hostDefaults.MaxQueuedBytes,
                MaxClientsPerUid = virt.GetInt("max-clients-per-uid", hostDefaults.MaxClientsPerUid),
                FirstCallTimeout = virt.GetTimeSpan("first-call-timeout", hostDefaults.FirstCallTimeout),
                CallTimeout = virt.GetTimeSpan("call-timeout", hostDefaults.CallTimeout),
                OnStop = ParsePolicy(virt.GetString("on-stop", "leave-running")),
                OnStopShutdownTimeout = virt.GetTimeSpan("on-stop-shutdown-timeout", hostDefaults.OnStopShutdownTimeout),
                Remote = new RemoteSettings
                {
                    Enabled = virt.GetBoolean("remote.enabled", false),
                    Hostname = virt.GetString("remote.hostname", hostDefaults.Remote.Hostname),
                    Port = virt.GetInt("remote.port", hostDefaults.Remote.Port),
                    Tls = virt.GetBoolean("remote.tls", false),
                    Certificate = virt.GetString("remote.certificate", ""),
                    TrustedThumbprints = [.. virt.GetStringList("remote.trusted-thumbprints") ?? []],
                },
                Cluster = new Actors.Cluster.ClusterSettings
                {
                    Enabled = virt.GetBoolean("cluster.enabled", false),
                    NodeName = NonEmpty(virt.GetString("cluster.node-name", ""), hostDefaults.Cluster.NodeName),
                    Hostname = virt.GetString("cluster.hostname", hostDefaults.Cluster.Hostname),
                    Port = virt.GetInt("cluster.port", hostDefaults.Cluster.Port),
                    SeedNodes = [.. virt.GetStringList("cluster.seed-nodes") ?? []],
                    StableAfter = virt.GetTimeSpan("cluster.stable-after", hostDefaults.Cluster.StableAfter),
                },
            };
            return new VirtConfig(config, runtime, host);
        }
        catch (Exception e) when (e is ConfigurationException or FormatException or ArgumentException)
        {
            throw new VirtException(ErrorCode.ConfigUnsupported, $"invalid setting in the virt section: {e.Message}", e);
        }
    }

    /// <summary>virt.networks { NAME { bridge = BRIDGE } }: libvirt's network names, each an existing bridge.</summary>
    private static Dictionary<string, string> ParseNetworks(Config virt)
    {
        var networks = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!virt.HasPath("networks"))
            return networks;
        foreach (var name in virt.GetConfig("networks").Root.GetObject().Items.Keys)
        {
            var bridge = virt.GetString($"networks.{name}.bridge", "");
            if (bridge.Length is 0 or > 15 || bridge.Contains('/') || bridge.Any(char.IsWhiteSpace))
                throw new VirtException(ErrorCode.ConfigUnsupported,
                    $"virt.networks.{name}.bridge must name a bridge (1 to 15 characters, no '/' or spaces), not '{bridge}'");
            networks[name] = bridge;
        }
        return networks;
    }

    private static string NonEmpty(string value, string fallback) => value.Length > 0 ? value : fallback;

    private static DaemonStopPolicy ParsePolicy(string text) => text switch
    {
        "leave-running" => DaemonStopPolicy.LeaveRunning,
        "shutdown" => DaemonStopPolicy.Shutdown,
        "destroy" => DaemonStopPolicy.Destroy,
        _ => throw new VirtException(ErrorCode.ConfigUnsupported, $"virt.on-stop is '{text}'; expected leave-running, shutdown or destroy"),
    };

    private static Config ParseFile(string path)
    {
        try
        {
            return ConfigurationFactory.ParseString(File.ReadAllText(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VirtException(ErrorCode.ConfigUnsupported, $"cannot read config file {path}: {e.Message}", e);
        }
        catch (Exception e) when (e is ConfigurationException or FormatException)
        {
            throw new VirtException(ErrorCode.ConfigUnsupported, $"config file {path} is not valid HOCON: {e.Message}", e);
        }
    }
}
