using System.Data;
using System.Text.Json;
using FluentMigrator;

namespace Rectify.Assessment.Migrations;

/// <summary>
/// Scores as whole hundredths of a point in integer columns, and a review's dissatisfied share as its two counts, instead
/// of binary doubles (SQLite read a REAL column back as two types; see Campaigns/Hundredths). Existing rows are converted
/// in code, one way for every database: committee scores rounded to the nearest hundredth (they were entered with at most
/// two places), a review's mean score rounded down as the verdict now does, and its counts read from the review's detail.
/// </summary>
[Migration(202612200201, "Scores in hundredths; a review's dissatisfied share as its counts")]
public sealed class M202612200201_ExactScores : Migration
{
    private static readonly string[] Committee = ["team_operation", "organizational_systems", "cadre_team", "vanguard_role"];

    public override void Up()
    {
        foreach (var column in Committee)
            Alter.Table("assessments").AddColumn(column + "_hundredths").AsInt32().NotNullable().WithDefaultValue(0);
        Alter.Table("reviews")
            .AddColumn("score_hundredths").AsInt32().NotNullable().WithDefaultValue(0)
            .AddColumn("dissatisfied").AsInt32().NotNullable().WithDefaultValue(0)
            .AddColumn("ballots").AsInt32().NotNullable().WithDefaultValue(0);
        Execute.WithConnection(Convert);
        foreach (var column in Committee) Delete.Column(column).FromTable("assessments");
        Delete.Column("score").Column("dissatisfied_share").FromTable("reviews");
    }

    public override void Down()
    {
        foreach (var column in Committee) Alter.Table("assessments").AddColumn(column).AsDouble().NotNullable().WithDefaultValue(0);
        Alter.Table("reviews").AddColumn("score").AsDouble().NotNullable().WithDefaultValue(0).AddColumn("dissatisfied_share").AsDouble().NotNullable().WithDefaultValue(0);
        Execute.Sql($"UPDATE assessments SET {string.Join(", ", Committee.Select(c => $"{c} = {c}_hundredths / 100.0"))}");
        Execute.Sql("UPDATE reviews SET score = score_hundredths / 100.0, dissatisfied_share = CASE WHEN ballots = 0 THEN 0 ELSE dissatisfied * 1.0 / ballots END");
        foreach (var column in Committee) Delete.Column(column + "_hundredths").FromTable("assessments");
        Delete.Column("score_hundredths").Column("dissatisfied").Column("ballots").FromTable("reviews");
    }

    private static void Convert(IDbConnection connection, IDbTransaction transaction)
    {
        // Read through the plain reader, whose GetDouble takes SQLite's integers and reals alike.
        var assessments = new List<(string Campaign, string Village, int Revision, int[] Scores)>();
        using (var read = Command(connection, transaction, $"SELECT campaign_id, village_code, revision, {string.Join(", ", Committee)} FROM assessments"))
        using (var reader = read.ExecuteReader())
            while (reader.Read())
                assessments.Add((reader.GetString(0), reader.GetString(1), reader.GetInt32(2),
                    [.. Enumerable.Range(3, Committee.Length).Select(i => (int)Math.Round(reader.GetDouble(i) * 100, MidpointRounding.AwayFromZero))]));
        foreach (var (campaign, village, revision, scores) in assessments)
        {
            using var update = Command(connection, transaction, $"""
                UPDATE assessments SET {string.Join(", ", Committee.Select((c, i) => $"{c}_hundredths = @s{i}"))}
                WHERE campaign_id = @campaign AND village_code = @village AND revision = @revision
                """);
            for (var i = 0; i < scores.Length; i++) Parameter(update, $"s{i}", scores[i]);
            Parameter(update, "campaign", campaign);
            Parameter(update, "village", village);
            Parameter(update, "revision", revision);
            update.ExecuteNonQuery();
        }

        var reviews = new List<(long Id, int Score, int Dissatisfied, int Ballots)>();
        using (var read = Command(connection, transaction, "SELECT id, score, dissatisfied_share, detail FROM reviews"))
        using (var reader = read.ExecuteReader())
            while (reader.Read())
            {
                var (dissatisfied, ballots) = Counts(reader.GetString(3), reader.GetDouble(2));
                reviews.Add((reader.GetInt64(0), (int)Math.Floor(reader.GetDouble(1) * 100 + 1e-6), dissatisfied, ballots));
            }
        foreach (var (id, score, dissatisfied, ballots) in reviews)
        {
            using var update = Command(connection, transaction, "UPDATE reviews SET score_hundredths = @score, dissatisfied = @dissatisfied, ballots = @ballots WHERE id = @id");
            Parameter(update, "score", score);
            Parameter(update, "dissatisfied", dissatisfied);
            Parameter(update, "ballots", ballots);
            Parameter(update, "id", id);
            update.ExecuteNonQuery();
        }
    }

    /// <summary>The votes recorded in a review's detail ({"Votes": {"Dissatisfied", "Ballots"}}); failing that, the share in millionths.</summary>
    private static (int Dissatisfied, int Ballots) Counts(string detail, double share)
    {
        try
        {
            using var json = JsonDocument.Parse(detail);
            if (json.RootElement.TryGetProperty("Votes", out var votes)
                && votes.TryGetProperty("Dissatisfied", out var d) && votes.TryGetProperty("Ballots", out var b) && b.GetInt32() > 0)
                return (d.GetInt32(), b.GetInt32());
        }
        catch (JsonException) { /* not the expected detail: the share itself is kept below */ }
        return ((int)Math.Round(share * 1_000_000), 1_000_000);
    }

    private static IDbCommand Command(IDbConnection connection, IDbTransaction transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    private static void Parameter(IDbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@" + name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
