using Dapper;
using Microsoft.Data.Sqlite;

namespace Rectify.Platform.Storage;

/// <summary>SQLite's files themselves, for the standalone backup: where a connection string points, and an online copy.</summary>
public static class SqliteFiles
{
    public static string PathOf(string connectionString) => new SqliteConnectionStringBuilder(connectionString).DataSource;

    /// <summary>
    /// Copies a live database file with SQLite's online backup: one read snapshot of the whole file, writers to the live
    /// file not held up (WAL). Opened ReadWrite, not Create: a wrong path fails instead of backing up a new empty file.
    /// </summary>
    public static async Task BackupAsync(string file, string copy)
    {
        await using var source = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Mode = SqliteOpenMode.ReadWrite, Pooling = false, DefaultTimeout = 30 }.ConnectionString);
        await using var target = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = copy, Pooling = false }.ConnectionString);
        await source.OpenAsync();
        // Microsoft.Data.Sqlite retries busy commands itself but not the backup API: SQLite's own busy handler
        // waits out a checkpoint or a writer's moment on the file.
        await source.ExecuteAsync("PRAGMA busy_timeout = 30000");
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                source.BackupDatabase(target);
                return;
            }
            catch (SqliteException e) when (e.SqliteErrorCode is 5 or 6 && attempt < 10) // BUSY, LOCKED
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt));
            }
        }
    }
}
