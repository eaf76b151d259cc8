namespace Virt.Reliability.Tests;

/// <summary>A test that needs root (mount, useradd): skipped with that reason when the suite runs as a user.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (Virt.Supervisor.Native.NativeFiles.GetEuid() != 0)
            Skip = "needs root (mounts a tmpfs or creates a user); run the suite as root to include it";
    }
}
