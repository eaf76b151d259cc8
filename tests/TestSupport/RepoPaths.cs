namespace Virt.TestSupport;

/// <summary>Locations tests read from: the repository root and the shared conformance corpus beside it.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>libvirt's test data, kept outside the repository at ../shared/conformance.</summary>
    public static string Conformance => Path.GetFullPath(Path.Combine(Root, "..", "shared", "conformance"));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Virt.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"Virt.sln not found above {AppContext.BaseDirectory}");
    }
}
