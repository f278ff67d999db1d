namespace Cryb;

/// <summary>Names of the grain storage providers, shared by silos and tests.</summary>
public static class StorageNames
{
    /// <summary>PostgreSQL storage for grain state (channels, users).</summary>
    public const string Default = "Default";
}
