using System.Data.Common;

namespace Cryb.Silo.Hosting;

/// <summary>
/// The keys a connection string sets, spelled one way (no spaces, upper case): Npgsql accepts
/// <c>Maximum Pool Size</c> and <c>MaxPoolSize</c> alike, and our defaults apply only where the
/// operator set nothing.
/// </summary>
public static class ConnectionStringKeys
{
    public static IReadOnlySet<string> Of(string connectionString) =>
        new DbConnectionStringBuilder { ConnectionString = connectionString }.Keys.Cast<string>()
            .Select(key => key.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant())
            .ToHashSet();
}
