using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Rectify.Platform.Storage;

/// <summary>
/// The few places where the three SQL dialects differ. Repository SQL is
/// otherwise written once in the common subset (no string concatenation of
/// values, no vendor functions) so the same code runs on all three.
/// </summary>
public sealed class Sql(DbProvider provider)
{
    public DbProvider Provider { get; } = provider;

    /// <summary>Row limit placed after ORDER BY: LIMIT on SQLite and PostgreSQL, OFFSET/FETCH on SQL Server.</summary>
    public string Limit(string parameter) => Page(parameter, "0");

    /// <summary>A page of rows placed after ORDER BY.</summary>
    public string Page(string limit, string offset) => Provider == DbProvider.SqlServer
        ? $"OFFSET {offset} ROWS FETCH NEXT {limit} ROWS ONLY"
        : $"LIMIT {limit} OFFSET {offset}";

    /// <summary>
    /// "column is one of the list parameter": Dapper expands IN @list into one parameter per value, except on
    /// Npgsql, which receives the list as an array and needs = ANY.
    /// </summary>
    public string InList(string column, string parameter) => Provider == DbProvider.Postgres
        ? $"{column} = ANY({parameter})"
        : $"{column} IN {parameter}";

    public static bool IsUniqueViolation(Exception exception) => exception switch
    {
        SqliteException e => e.SqliteErrorCode == 19 && e.SqliteExtendedErrorCode is 1555 or 2067, // PRIMARYKEY, UNIQUE
        PostgresException e => e.SqlState == PostgresErrorCodes.UniqueViolation,
        SqlException e => e.Number is 2627 or 2601,
        _ => false,
    };

    /// <summary>A LIKE pattern matching names that contain the text; use it with ESCAPE '\'.</summary>
    public string LikeContains(string text) => "%" + LikeEscape(text) + "%";

    /// <summary>The text as a LIKE pattern that matches only itself, for a pattern with ESCAPE '\'.</summary>
    public string LikeEscape(string text)
    {
        var escaped = text.Replace(@"\", @"\\").Replace("%", @"\%").Replace("_", @"\_");
        // Only SQL Server treats [ as a wildcard.
        return Provider == DbProvider.SqlServer ? escaped.Replace("[", @"\[") : escaped;
    }
}
