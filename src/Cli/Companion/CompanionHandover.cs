using System.Collections;
using System.CommandLine;
using System.Runtime.InteropServices;
using Virt.Protocol.Connection;
using Virt.Protocol.Errors;

namespace Virt.Cli.Companion;

/// <summary>
/// The native `virt` runs every client verb over the daemon socket itself and hands the rest (`virt run`, embedded and
/// Akka.Remote URIs, commands that probe QEMU) to the JIT-built `virt` beside it, by execve with the same argv and
/// environment: one process, so exit code, signals and stdio stay the user's.
/// </summary>
internal static class CompanionHandover
{
    /// <summary>Where the JIT-built `virt` is, relative to the native one (set by the native build).</summary>
    public const string PathSetting = "Virt.Cli.Companion";

    /// <summary>Overrides <see cref="PathSetting"/>: an installed layout, or a test that moves the binaries.</summary>
    public const string EnvironmentVariable = "VIRT_COMPANION";

    /// <summary>Commands whose work needs the runtime or the QEMU layer in this process.</summary>
    private static readonly HashSet<string> InProcessCommands = [Commands.RunCommand.Name, Commands.DomxmlToNativeCommand.Name];

    public static bool Needed(ParseResult parse, CliContext context)
    {
        if (InProcessRuntime.IsSupported)
            return false;
        if (InProcessCommands.Contains(parse.CommandResult.Command.Name))
            return true;
        try
        {
            return ConnectionUri.Resolve(parse.GetValue(GlobalOptions.Connect), context.Environment).Mode
                is RuntimeMode.Embed or RuntimeMode.Remote;
        }
        catch (VirtException)
        {
            return false; // the command itself reports the bad URI
        }
    }

    /// <summary>Replaces this process with the companion; returns only when that fails.</summary>
    /// <param name="catchesSignals">The command handles every signal that ends it (`run`): ignored ones are reset first.</param>
    public static VirtException Exec(string[] args, Func<string, string?> environment, bool catchesSignals)
    {
        var companion = CompanionPath(environment);
        var argv = ToNative([companion, .. args]);
        var envp = ToNative(Environment.GetEnvironmentVariables().Cast<DictionaryEntry>().Select(e => $"{e.Key}={e.Value}"));
        var path = Marshal.StringToCoTaskMemUTF8(companion);
        // An ignored signal stays ignored across exec (a background job of a script has SIGINT and SIGQUIT ignored); `run`
        // must be able to catch every signal that ends it, as virt-qemu-run does, so it starts with the defaults.
        if (catchesSignals)
        {
            Signal(SigInt, SigDfl);
            Signal(SigQuit, SigDfl);
        }
        Execve(path, argv, envp);
        var why = Marshal.GetLastPInvokeErrorMessage();
        Marshal.FreeCoTaskMem(path);
        foreach (var pointer in argv.Concat(envp))
            Marshal.FreeCoTaskMem(pointer);
        return new VirtException(ErrorCode.InternalError, $"cannot run the companion program {companion}: {why}");
    }

    private static string CompanionPath(Func<string, string?> environment) =>
        environment(EnvironmentVariable) is { Length: > 0 } fromEnv ? fromEnv
        : Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, AppContext.GetData(PathSetting) as string ?? "virt-jit"));

    /// <summary>A NULL-terminated array of UTF-8 strings, as execve takes them.</summary>
    private static nint[] ToNative(IEnumerable<string> strings) => [.. strings.Select(Marshal.StringToCoTaskMemUTF8), 0];

    private const int SigInt = 2;
    private const int SigQuit = 3;
    private static readonly nint SigDfl = 0;

    [DllImport("libc", EntryPoint = "signal")]
    private static extern nint Signal(int signal, nint handler);

    [DllImport("libc", EntryPoint = "execve", SetLastError = true)]
    private static extern int Execve(nint path, nint[] argv, nint[] envp);
}
