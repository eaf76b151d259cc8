using System.Runtime.InteropServices;
using Virt.Protocol.Errors;

namespace Virt.Supervisor.Native;

/// <summary>Starts a program with posix_spawnp: no shell, its own session, stdin from /dev/null, stdout and stderr appended to a file.</summary>
internal static class PosixSpawn
{
    /// <summary>Returns the child's pid. The caller owns reaping it.</summary>
    /// <param name="inherited">Descriptors the child gets at the given numbers; each parent descriptor must lie above every child number.</param>
    public static int SpawnDetached(string file, IReadOnlyList<string> argv, IReadOnlyList<string> environment, string outputPath,
        IReadOnlyList<(int Parent, int Child)>? inherited = null)
    {
        var allocations = new List<IntPtr>();
        IntPtr Utf8(string s)
        {
            var p = Marshal.StringToCoTaskMemUTF8(s);
            allocations.Add(p);
            return p;
        }
        var actions = Marshal.AllocHGlobal(LibC.SpawnFileActionsSize);
        var attr = Marshal.AllocHGlobal(LibC.SpawnAttrSize);
        var emptySet = Marshal.AllocHGlobal(LibC.SigSetSize);
        var fullSet = Marshal.AllocHGlobal(LibC.SigSetSize);
        var actionsReady = false;
        var attrReady = false;
        try
        {
            Check(LibC.FileActionsInit(actions), "posix_spawn_file_actions_init");
            actionsReady = true;
            Check(LibC.FileActionsAddOpen(actions, 0, Utf8("/dev/null"), LibC.O_RDONLY, 0), "addopen stdin");
            Check(LibC.FileActionsAddOpen(actions, 1, Utf8(outputPath), LibC.O_WRONLY | LibC.O_APPEND | LibC.O_CREAT | LibC.O_NOFOLLOW, 0x180 /* 0600 */), "addopen stdout");
            Check(LibC.FileActionsAddDup2(actions, 1, 2), "adddup2 stderr");
            foreach (var (parent, child) in inherited ?? [])
                Check(LibC.FileActionsAddDup2(actions, parent, child), $"adddup2 descriptor {child}");

            Check(LibC.SpawnAttrInit(attr), "posix_spawnattr_init");
            attrReady = true;
            // .NET ignores SIGPIPE and may block signals on the calling thread; the child must start with a clean slate.
            LibC.SigEmptySet(emptySet);
            LibC.SigFillSet(fullSet);
            Check(LibC.SpawnAttrSetSigMask(attr, emptySet), "setsigmask");
            Check(LibC.SpawnAttrSetSigDefault(attr, fullSet), "setsigdefault");
            Check(LibC.SpawnAttrSetFlags(attr, LibC.POSIX_SPAWN_SETSID | LibC.POSIX_SPAWN_SETSIGMASK | LibC.POSIX_SPAWN_SETSIGDEF), "setflags");

            var argvPtrs = new IntPtr[argv.Count + 1];
            for (var i = 0; i < argv.Count; i++)
                argvPtrs[i] = Utf8(argv[i]);
            var envPtrs = new IntPtr[environment.Count + 1];
            for (var i = 0; i < environment.Count; i++)
                envPtrs[i] = Utf8(environment[i]);

            var rc = LibC.PosixSpawnp(out var pid, file, actions, attr, argvPtrs, envPtrs);
            if (rc != 0)
                throw new VirtException(ErrorCode.OperationFailed, $"cannot start {file}: {LibC.StrError(rc)}");
            return pid;
        }
        finally
        {
            if (actionsReady) LibC.FileActionsDestroy(actions);
            if (attrReady) LibC.SpawnAttrDestroy(attr);
            Marshal.FreeHGlobal(actions);
            Marshal.FreeHGlobal(attr);
            Marshal.FreeHGlobal(emptySet);
            Marshal.FreeHGlobal(fullSet);
            foreach (var p in allocations)
                Marshal.FreeCoTaskMem(p);
        }
    }

    private static void Check(int rc, string what)
    {
        if (rc != 0)
            throw new VirtException(ErrorCode.InternalError, $"{what} failed: {LibC.StrError(rc)}");
    }
}
