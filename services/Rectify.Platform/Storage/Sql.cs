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

    /// <summary>
    /// A fault of the infrastructure, not of the request or the code: the database unreachable, restarting, refusing
    /// connections, out of connections, or a transaction that lost a serialization race or a deadlock. Repeating the
    /// call later can succeed, so callers are told Unavailable (ErrorInterceptor) rather than Internal.
    /// </summary>
    public static bool IsTransient(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is AggregateException aggregate && aggregate.InnerExceptions.Any(IsTransient)) return true;
            if (e switch
            {
                PostgresException p => IsTransientSqlState(p.SqlState) || p.IsTransient,
                // Npgsql marks I/O, socket and timeout failures (a broken or refused connection) as transient.
                NpgsqlException n => n.IsTransient,
                SqliteException l => l.SqliteErrorCode is 5 or 6, // SQLITE_BUSY, SQLITE_LOCKED
                SqlException q => q.Errors.Cast<SqlError>().Any(error => TransientSqlServerErrors.Contains(error.Number)),
                TimeoutException or System.Net.Sockets.SocketException => true,
                _ => false,
            }) return true;
        }
        return false;
    }

    /// <summary>PostgreSQL: connection exceptions (08), insufficient resources (53), operator intervention (57P0x: shutdown, cannot connect now), serialization failure and deadlock.</summary>
    private static bool IsTransientSqlState(string state) =>
        state.StartsWith("08", StringComparison.Ordinal) || state.StartsWith("53", StringComparison.Ordinal) || state.StartsWith("57P0", StringComparison.Ordinal)
        || state is PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected;

    /// <summary>
    /// SQL Server error numbers that mean "try again" (the list Microsoft's own retry logic uses): timeout (-2), transport
    /// and network failures (20, 64, 233, 10053, 10054, 10060, 11001), deadlock victim (1205), lock timeout (1222),
    /// database unavailable or in transition (4060, 4221, 40143, 40197, 40501, 40540, 40613, 42108, 42109, 49918–49920).
    /// </summary>
    private static readonly HashSet<int> TransientSqlServerErrors =
        [-2, 20, 64, 233, 1205, 1222, 4060, 4221, 10053, 10054, 10060, 11001, 40143, 40197, 40501, 40540, 40613, 42108, 42109, 49918, 49919, 49920];

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
