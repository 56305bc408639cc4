using Dapper;

namespace Rectify.Platform.Storage;

/// <summary>
/// Inserts rows many to a statement (<c>INSERT … VALUES (…), (…), …</c>): a write of thousands of rows is a few dozen
/// round trips instead of one per row. Table and column names come from code; the values go in as parameters only.
/// </summary>
public static class MultiRowInsert
{
    /// <summary>
    /// Parameters in one statement: under every engine's limit (SQLite's oldest 999, SQL Server's 2,100), and small
    /// because Dapper checks each parameter it adds against those already on the command, a linear search on SQLite: a
    /// statement's cost grows with the square of its parameters (200 rows of 9 were slower than a row a statement).
    /// </summary>
    public const int ParametersPerStatement = 300;

    public static async Task InsertRowsAsync<T>(this DbSession session, string table, IReadOnlyList<string> columns, IEnumerable<T> rows, Func<T, object?[]> values)
    {
        foreach (var chunk in rows.Chunk(Math.Max(1, ParametersPerStatement / columns.Count)))
        {
            var parameters = new DynamicParameters();
            var tuples = new List<string>(chunk.Length);
            for (var r = 0; r < chunk.Length; r++)
            {
                var row = values(chunk[r]);
                if (row.Length != columns.Count) throw new ArgumentException($"A row of {table} has {row.Length} values for {columns.Count} columns.", nameof(values));
                var names = new string[row.Length];
                for (var c = 0; c < row.Length; c++)
                {
                    names[c] = $"@v{r}_{c}";
                    parameters.Add(names[c], row[c]);
                }
                tuples.Add($"({string.Join(", ", names)})");
            }
            await session.ExecuteAsync($"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES {string.Join(", ", tuples)}", parameters);
        }
    }
}
