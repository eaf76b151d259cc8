using Virt.Protocol.Errors;
using Virt.Supervisor.Capabilities;
using Virt.Supervisor.Status;

namespace Virt.Actors.Runtime;

/// <summary>What every domain actor of one runtime shares: settings, the capabilities cache and the status files.</summary>
public sealed class DomainRuntime
{
    public DomainRuntime(VirtRuntimeSettings settings, CapabilitiesCache? capabilities = null)
    {
        Settings = settings;
        Capabilities = capabilities ?? new CapabilitiesCache();
        StatusFiles = new StatusFileStore(settings.Paths.RuntimeDir);
    }

    public VirtRuntimeSettings Settings { get; }
    public CapabilitiesCache Capabilities { get; }
    public StatusFileStore StatusFiles { get; }

    /// <summary>The emulator's full path: as given when it holds a '/', else the first match in PATH.</summary>
    public static string ResolveEmulator(string emulator)
    {
        if (emulator.Contains('/'))
            return Path.GetFullPath(emulator); // a missing path is reported by the probe, naming it
        return Virt.Supervisor.Processes.ExecutablePath.Find(emulator)
            ?? throw new VirtException(ErrorCode.OperationFailed, $"emulator '{emulator}' was not found in PATH");
    }

    /// <summary>The domain id encoded in a monitor socket path ("RUNTIME/ID.qmp"), or null.</summary>
    public static int? IdFromMonitorPath(string monitorPath) =>
        Path.GetFileName(monitorPath) is { } file && file.EndsWith(".qmp", StringComparison.Ordinal)
        && int.TryParse(file[..^4], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id) && id > 0
            ? id
            : null;
}
