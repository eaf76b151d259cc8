using Serilog;
using Serilog.Events;

namespace Virt.Host.Runtime;

/// <summary>Serilog for virtd and embedded runtimes: console at a chosen level, optionally a rolling file.</summary>
public static class LoggingSetup
{
    public static Serilog.ILogger Create(LogEventLevel consoleLevel, string? logFile = null)
    {
        var config = new LoggerConfiguration()
            .MinimumLevel.Debug()
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .Enrich.FromLogContext()
            .WriteTo.Console(
                restrictedToMinimumLevel: consoleLevel,
                standardErrorFromLevel: LogEventLevel.Verbose,
                outputTemplate: "{Timestamp:HH:mm:ss.fff} {Level:u3} {Message:lj}{NewLine}{Exception}");
        if (logFile is not null)
            config = config.WriteTo.File(logFile, restrictedToMinimumLevel: LogEventLevel.Information,
                rollingInterval: RollingInterval.Day, retainedFileCountLimit: 14, fileSizeLimitBytes: 64L * 1024 * 1024);
        return config.CreateLogger();
    }
}
