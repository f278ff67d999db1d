namespace Cryb.Cluster;

/// <summary>Lines as `./cryb` writes its own: <c>cryb:</c> in bold, failures in red on standard error.</summary>
public static class Say
{
    public static void Line(string message) => Console.WriteLine($"\u001b[1mcryb:\u001b[0m {message}");

    public static void Failure(string message) => Console.Error.WriteLine($"\u001b[31mcryb: {message}\u001b[0m");
}

/// <summary>A refusal or failure the tool reports in one line and exits 1 for, as the script's <c>fail</c> does.</summary>
public sealed class ClusterToolException(string message) : Exception(message);
