namespace Cryb.Testing;

/// <summary>Finds the repository and the build output of its host projects, in the configuration the running program was built in.</summary>
public static class BuildOutput
{
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>e.g. <c>Silo/bin/Release/net10.0</c>, matching how the running tests or tool were built.</summary>
    public static string Of(string project)
    {
        var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = framework.Parent!.Name;
        var output = Path.Combine(RepositoryRoot, project, "bin", configuration, framework.Name);
        return Directory.Exists(output)
            ? output
            : throw new DirectoryNotFoundException($"{output} does not exist: build the solution first.");
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Cryb.Orleans.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("Cryb.Orleans.sln not found above the build output.");
    }
}
