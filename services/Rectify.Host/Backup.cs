using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Dapper;
using Rectify.Platform.Hosting;
using Rectify.Platform.Storage;

namespace Rectify.Host;

/// <summary>
/// `rectify backup FOLDER` and `rectify restore FOLDER` for standalone (SQLite): an online, consistent copy of every
/// service's file while the suite runs (SQLite's backup API reads each file in one read transaction, so writers go
/// on), with a manifest; and putting such a copy into an empty data folder. Server databases have their own tools
/// (docs/backup.md). The configuration is the host's own: the same appsettings, environment and --Rectify:… arguments.
/// </summary>
public static class Backup
{
    public const string ManifestFile = "backup.json";

    /// <summary>
    /// Each file is copied at its own moment, so an event one service dispatched just before its copy may reach its
    /// consumer just after the consumer's copy. The copy's outbox forgets dispatching for this long before the backup
    /// began: after a restore those events are published again, and consumers that had them drop them as duplicates.
    /// </summary>
    public static readonly TimeSpan Replay = TimeSpan.FromMinutes(10);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public sealed record Manifest(int Format, DateTimeOffset StartedAt, DateTimeOffset FinishedAt, DateTimeOffset ReplayedFrom, string? SigningKey, List<ServiceCopy> Services);

    public sealed record ServiceCopy(string Service, string File, long Bytes, string Sha256, long SchemaVersion, int Replayed, Dictionary<string, long> Rows);

    /// <summary>Runs the verb if <paramref name="args"/> names one; returns the exit code, or null to start the host.</summary>
    public static async Task<int?> RunAsync(string[] args)
    {
        if (args.Length == 0 || args[0] is not ("backup" or "restore")) return null;
        if (args.Length < 2 || args[1].StartsWith('-'))
        {
            await Console.Error.WriteLineAsync($"usage: rectify {args[0]} FOLDER [--Rectify:DataDirectory=…]");
            return 64;
        }
        var configuration = WebApplication.CreateBuilder(args[2..]).Configuration;
        var options = configuration.GetSection(RectifyOptions.Section).Get<RectifyOptions>() ?? new RectifyOptions();
        if (options.Storage.Provider != DbProvider.Sqlite)
        {
            await Console.Error.WriteLineAsync($"{args[0]} copies SQLite files; a {options.Storage.Provider} deployment uses the database's own tools (docs/backup.md).");
            return 64;
        }
        var modules = ServiceCatalog.Select(configuration["Rectify:Services"]);
        var files = modules.ToDictionary(m => m.Name, m => FileOf(configuration, options, m.Name));
        try
        {
            if (args[0] == "backup")
            {
                var manifest = await BackupAsync(files, options.IssuerKeyPath, args[1], TimeProvider.System);
                Console.WriteLine($"Backed up {manifest.Services.Count} services to {Path.GetFullPath(args[1])} ({manifest.Services.Sum(s => s.Bytes) / 1024} KiB; outbox replayed from {manifest.ReplayedFrom:u}).");
            }
            else
            {
                var manifest = await RestoreAsync(args[1], files, options.IssuerKeyPath);
                Console.WriteLine($"Restored {manifest.Services.Count} services from the backup of {manifest.StartedAt:u}; start the host on this data folder.");
            }
            return 0;
        }
        catch (BackupException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return 1;
        }
    }

    /// <summary>The service's SQLite file, as ServiceModule.AddDatabase finds it: its connection string, or DataDirectory/NAME.db.</summary>
    private static string FileOf(IConfiguration configuration, RectifyOptions options, string service) =>
        Path.GetFullPath(configuration.GetConnectionString(service) is { } connection
            ? SqliteFiles.PathOf(connection)
            : Path.Combine(options.DataDirectory, service + ".db"));

    public static async Task<Manifest> BackupAsync(IReadOnlyDictionary<string, string> files, string? signingKey, string folder, TimeProvider clock)
    {
        if (Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any())
            throw new BackupException($"{folder} is not empty: a backup goes into a new folder.");
        var missing = files.Where(f => !File.Exists(f.Value)).Select(f => $"{f.Key} ({f.Value})").ToList();
        if (missing.Count > 0) throw new BackupException($"No database file for {string.Join(", ", missing)}: is Rectify:DataDirectory the running host's?");
        Directory.CreateDirectory(folder);
        var started = clock.GetUtcNow();
        var replayFrom = started - Replay;
        var copies = new List<ServiceCopy>();
        foreach (var (service, file) in files)
        {
            var copy = Path.Combine(folder, service + ".db");
            await SqliteFiles.BackupAsync(file, copy);
            copies.Add(await SealAsync(service, copy, replayFrom));
        }
        string? key = null;
        if (signingKey is not null && File.Exists(signingKey))
        {
            key = Path.GetFileName(signingKey);
            File.Copy(signingKey, Path.Combine(folder, key));
        }
        var manifest = new Manifest(1, started, clock.GetUtcNow(), replayFrom, key, copies);
        await File.WriteAllTextAsync(Path.Combine(folder, ManifestFile), JsonSerializer.Serialize(manifest, Json));
        return manifest;
    }

    /// <summary>Rewinds the copy's outbox, checks it, makes it one self-contained file and describes it.</summary>
    private static async Task<ServiceCopy> SealAsync(string service, string copy, DateTimeOffset replayFrom)
    {
        var database = new Database(service, DbProvider.Sqlite, $"Data Source={copy};Pooling=False");
        await using (var connection = await database.OpenAsync())
        {
            var replayed = await connection.ExecuteAsync(
                "UPDATE outbox_messages SET dispatched_at = NULL WHERE dispatched_at >= @replayFrom", new { replayFrom = replayFrom.UtcDateTime });
            // Leases name the running host's replicas: a restored host must not wait for them to expire.
            await connection.ExecuteAsync("DELETE FROM job_leases");
            var integrity = await connection.ExecuteScalarAsync<string>("PRAGMA integrity_check");
            if (integrity != "ok") throw new BackupException($"The copy of {service} fails SQLite's integrity check: {integrity}");
            // No -wal beside the copy: the backup is the .db file alone; the host turns WAL on again at start.
            await connection.ExecuteAsync("PRAGMA journal_mode=DELETE");
            var version = await connection.ExecuteScalarAsync<long>("SELECT MAX(Version) FROM VersionInfo");
            var rows = new Dictionary<string, long>();
            foreach (var table in await connection.QueryAsync<string>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"))
                rows[table] = await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM \"{table.Replace("\"", "\"\"")}\"");
            var bytes = new FileInfo(copy).Length;
            return new ServiceCopy(service, Path.GetFileName(copy), bytes, Sha256(copy), version, replayed, rows);
        }
    }

    public static async Task<Manifest> RestoreAsync(string folder, IReadOnlyDictionary<string, string> files, string? signingKey)
    {
        var manifestPath = Path.Combine(folder, ManifestFile);
        if (!File.Exists(manifestPath)) throw new BackupException($"{manifestPath} not found: not a Rectify backup.");
        var manifest = JsonSerializer.Deserialize<Manifest>(await File.ReadAllTextAsync(manifestPath), Json)
            ?? throw new BackupException($"{manifestPath} is empty.");
        if (manifest.Format != 1) throw new BackupException($"Backup format {manifest.Format} is not one this version reads.");
        var copies = manifest.Services.ToDictionary(s => s.Service);
        var absent = files.Keys.Where(s => !copies.ContainsKey(s)).ToList();
        if (absent.Count > 0) throw new BackupException($"The backup holds no copy of {string.Join(", ", absent)}.");
        foreach (var (service, target) in files)
        {
            var copy = Path.Combine(folder, copies[service].File);
            if (!File.Exists(copy) || Sha256(copy) != copies[service].Sha256)
                throw new BackupException($"{copy} is missing or differs from the manifest: the backup is damaged.");
            // Never over a live or older database: the operator moves it away first, knowingly.
            if (new[] { target, target + "-wal", target + "-shm", target + "-journal" }.FirstOrDefault(File.Exists) is { } existing)
                throw new BackupException($"{existing} exists: restore into an empty data folder (stop the host and move the old files away first).");
        }
        if (manifest.SigningKey is not null && signingKey is not null && File.Exists(signingKey)
            && !File.ReadAllBytes(signingKey).SequenceEqual(File.ReadAllBytes(Path.Combine(folder, manifest.SigningKey))))
            throw new BackupException($"{signingKey} exists and differs from the backup's signing key: move it away first.");
        foreach (var (service, target) in files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(Path.Combine(folder, copies[service].File), target);
        }
        if (manifest.SigningKey is not null && signingKey is not null && !File.Exists(signingKey))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(signingKey))!);
            File.Copy(Path.Combine(folder, manifest.SigningKey), signingKey);
        }
        return manifest;
    }

    private static string Sha256(string file)
    {
        using var stream = File.OpenRead(file);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}

/// <summary>A backup or restore refused for a reason the operator can act on.</summary>
public sealed class BackupException(string message) : Exception(message);
