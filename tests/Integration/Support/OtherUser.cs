using System.Runtime.InteropServices;

namespace Virt.Integration.Tests.Support;

/// <summary>
/// Runs a step as another user without a second process: the raw setresuid/setresgid system calls change only the
/// calling thread's credentials (glibc's wrappers would change every thread), so one dedicated thread becomes that
/// user for the step and root again afterwards. Needs root.
/// </summary>
public static class OtherUser
{
    public const uint Nobody = 65534;

    public static bool IsRoot => geteuid() == 0;

    public static T Run<T>(uint uid, Func<T> step)
    {
        T result = default!;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            // gid first while still root; back to root uid first, then gid.
            if (syscall(SetResGid, -1, uid, -1) != 0 || syscall(SetResUid, -1, uid, -1) != 0)
            {
                error = new InvalidOperationException($"cannot take uid {uid} on this thread: errno {Marshal.GetLastPInvokeError()}");
                syscall(SetResGid, -1, 0, -1);
                return;
            }
            try
            {
                result = step();
            }
            catch (Exception e)
            {
                error = e;
            }
            finally
            {
                syscall(SetResUid, -1, 0, -1);
                syscall(SetResGid, -1, 0, -1);
            }
        });
        thread.Start();
        thread.Join();
        if (error is not null)
            throw error;
        return result;
    }

    private static long SetResUid => RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 147 : 117;
    private static long SetResGid => RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 149 : 119;

    [DllImport("libc", SetLastError = true)]
    private static extern long syscall(long number, long a, long b, long c);

    [DllImport("libc")]
    private static extern uint geteuid();
}
