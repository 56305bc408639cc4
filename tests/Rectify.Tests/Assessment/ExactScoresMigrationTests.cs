using Dapper;
using FluentMigrator.Runner;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Rectify.Assessment;
using Rectify.Assessment.Campaigns;
using Rectify.Platform.Storage;
using Rectify.Tests.Support;

namespace Rectify.Tests.Assessment;

/// <summary>Scores stored as doubles by the release before are carried over to hundredths, read back as they were entered.</summary>
public sealed class ExactScoresMigrationTests
{
    [Theory]
    [InlineData(DbProvider.Sqlite)]
    [InlineData(DbProvider.Postgres)]
    public async Task Double_scores_and_shares_are_converted_to_hundredths_and_counts(DbProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var storage = TestStorage.Create(provider);
        var connectionString = storage.ConnectionString("assessment");
        if (provider == DbProvider.Postgres)
        {
            await using var server = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false }.ConnectionString);
            await server.ExecuteAsync($"CREATE DATABASE \"{new NpgsqlConnectionStringBuilder(connectionString).Database}\"");
        }
        await using (var migrations = new ServiceCollection().AddFluentMigratorCore()
            .ConfigureRunner(runner => (provider == DbProvider.Sqlite ? runner.AddSQLite() : runner.AddPostgres())
                .WithGlobalConnectionString(connectionString).ScanIn(typeof(Migrator).Assembly, typeof(AssessmentModule).Assembly).For.Migrations())
            .BuildServiceProvider(validateScopes: false))
            migrations.GetRequiredService<IMigrationRunner>().MigrateUp(202612101502);

        var database = new Database<AssessmentModule>("assessment", provider, connectionString);
        var at = new DateTime(2027, 3, 1, 2, 0, 0, DateTimeKind.Utc);
        // A whole score first, then fractions: the mix that SQLite read back as two types.
        await database.WriteAsync(s => s.ExecuteAsync("""
            INSERT INTO assessments (campaign_id, village_code, revision, satisfied, basically_satisfied, dissatisfied, ballots, team_operation,
                organizational_systems, cadre_team, vanguard_role, findings, correction_reason, recorded_by, recorded_at)
            VALUES ('c', @village, @revision, 6, 3, 1, 10, @a, @b, @c, @d, '[]', NULL, 'x', @at)
            """, new[]
        {
            new { village = "360731101201", revision = 1, a = 90.0, b = 90.0, c = 90.0, d = 90.0, at },
            new { village = "360731101201", revision = 2, a = 72.5, b = 0.1, c = 100.0, d = 0.0, at },
            new { village = "360731101202", revision = 1, a = 72.35, b = 86.25, c = 99.99, d = 0.01, at },
        }), ct);
        await database.WriteAsync(s => s.ExecuteAsync("""
            INSERT INTO reviews (campaign_id, village_code, kind, held_on, score, dissatisfied_share, passed, reasons, status_after, new_deadline, detail, recorded_by, recorded_at)
            VALUES ('c', '360731101201', 1, @heldOn, @score, @share, @passed, '[]', 2, NULL, @detail, 'x', @at)
            """, new[]
        {
            new { heldOn = new DateOnly(2027, 6, 1), score = 70.0, share = 0.0, passed = true, detail = """{"Aspects":[],"Votes":{"Satisfied":10,"BasicallySatisfied":0,"Dissatisfied":0,"Ballots":10}}""", at },
            new { heldOn = new DateOnly(2027, 9, 1), score = 212.0 / 3, share = 1.0 / 3, passed = true, detail = """{"Aspects":[],"Votes":{"Satisfied":2,"BasicallySatisfied":0,"Dissatisfied":1,"Ballots":3}}""", at },
            new { heldOn = new DateOnly(2027, 12, 1), score = 69.995, share = 0.501, passed = false, detail = "{}", at },
        }), ct);

        await Migrator.MigrateAsync(database, typeof(AssessmentModule).Assembly, ct);

        var latest = await database.ReadAsync(s => CampaignStore.LatestAssessmentsAsync(s, "c"), ct);
        Assert.Equal((7250, 10, 10000, 0), (latest["360731101201"].TeamOperation, latest["360731101201"].OrganizationalSystems, latest["360731101201"].CadreTeam, latest["360731101201"].VanguardRole));
        Assert.Equal((7235, 8625, 9999, 1), (latest["360731101202"].TeamOperation, latest["360731101202"].OrganizationalSystems, latest["360731101202"].CadreTeam, latest["360731101202"].VanguardRole));
        Assert.Equal(43.15, latest["360731101201"].CommitteeScore);
        var reviews = (await database.ReadAsync(s => s.QueryAsync<(int, int, int)>(
            "SELECT score_hundredths, dissatisfied, ballots FROM reviews ORDER BY id"), ct)).ToList();
        // 70.666… rounds down to 70.66; 69.995 to 69.99, below the pass mark as its verdict was; a detail without votes keeps the share.
        Assert.Equal([(7000, 0, 10), (7066, 1, 3), (6999, 501_000, 1_000_000)], reviews);
    }
}
