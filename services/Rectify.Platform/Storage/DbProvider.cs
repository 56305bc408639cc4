namespace Rectify.Platform.Storage;

/// <summary>The database engines Rectify runs on; only configuration chooses among them.</summary>
public enum DbProvider
{
    Sqlite,
    Postgres,
    SqlServer,
}
