using Npgsql;
using NpgsqlTypes;

namespace Cryb.Grains.Storage;

/// <summary>Array parameters for statements that take rows as parallel arrays (unnest).</summary>
internal static class ArrayParameters
{
    /// <summary>An array whose elements may be null, typed explicitly: from nulls alone Npgsql could not tell the element type.</summary>
    public static NpgsqlParameter Nullable<T>(IEnumerable<T> values, NpgsqlDbType elementType) =>
        new() { Value = values.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | elementType };
}
