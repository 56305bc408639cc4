using FluentMigrator;

namespace Rectify.Measures.Migrations;

/// <summary>
/// Each township's, county's, city's and province's measure counts per campaign year, the sums of its targets' rows in
/// target_measure_counts, kept in the same transaction as every measure change (Ledger/UnitMeasureCounts), so a subtree's
/// totals read its children's rows. Keyed by the parent's code first: a unit's children are one range of the key. Codes are
/// the 12-digit codes; code_length the unit's significant digits (9, 6, 4, 2) and last_code the last code of its subtree.
/// Filled here from the target rows already written: a unit is of a day only if every one of its targets' rows is of it.
/// </summary>
[Migration(202701260901, "Measures: per-unit counts kept with each measure change")]
public sealed class M202701260901_UnitMeasureCounts : Migration
{
    public override void Up()
    {
        Create.Table("unit_measure_counts")
            .WithColumn("parent_code").AsString(12).NotNullable().PrimaryKey("pk_unit_measure_counts")
            .WithColumn("unit_code").AsString(12).NotNullable().PrimaryKey("pk_unit_measure_counts")
            .WithColumn("campaign_year").AsInt32().NotNullable().PrimaryKey("pk_unit_measure_counts")
            .WithColumn("code_length").AsInt32().NotNullable()
            .WithColumn("last_code").AsString(12).NotNullable()
            .WithColumn("targets").AsInt32().NotNullable()
            .WithColumn("total").AsInt32().NotNullable()
            .WithColumn("completed").AsInt32().NotNullable()
            .WithColumn("closed").AsInt32().NotNullable()
            .WithColumn("reopened").AsInt32().NotNullable()
            .WithColumn("overdue").AsInt32().NotNullable()
            .WithColumn("overdue_on").AsDate().Nullable();
        // One statement per level (significant digits, the parent's); SQL Server joins strings with +, the others with ||.
        (int Level, int Parent)[] levels = [(9, 6), (6, 4), (4, 2), (2, 0)];
        foreach (var (level, parent) in levels)
        {
            IfDatabase(IsSqlServer).Execute.Sql(Fill(level, parent, "+"));
            IfDatabase(type => !IsSqlServer(type)).Execute.Sql(Fill(level, parent, "||"));
        }
    }

    /// <summary>The SQL Server processors' names (SqlServer, SqlServer2016, ...); the others' (SQLite, Postgres, PostgreSQL15_0, ...) do not start so.</summary>
    private static bool IsSqlServer(string type) => type.StartsWith("SqlServer", StringComparison.OrdinalIgnoreCase);

    private static string Fill(int level, int parent, string concat) => $"""
        INSERT INTO unit_measure_counts (parent_code, unit_code, campaign_year, code_length, last_code, targets, total, completed, closed, reopened, overdue, overdue_on)
        SELECT parent {concat} '{new string('0', 12 - parent)}', code {concat} '{new string('0', 12 - level)}', campaign_year, {level}, code {concat} '{new string('9', 12 - level)}',
               COUNT(*), SUM(total), SUM(completed), SUM(closed), SUM(reopened), SUM(overdue),
               CASE WHEN COUNT(overdue_on) = COUNT(*) AND MIN(overdue_on) = MAX(overdue_on) THEN MIN(overdue_on) ELSE NULL END
        FROM (SELECT SUBSTRING(village_code, 1, {level}) AS code, SUBSTRING(village_code, 1, {parent}) AS parent, campaign_year,
                     total, completed, closed, reopened, overdue, overdue_on
              FROM target_measure_counts) k
        GROUP BY code, parent, campaign_year
        """;

    public override void Down() => Delete.Table("unit_measure_counts");
}
