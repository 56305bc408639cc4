using FluentMigrator;

namespace Rectify.Measures.Migrations;

/// <summary>
/// Each target's measure counts, kept in the same transaction as every measure change (TargetMeasureCounts), so a
/// subtree's counts read one row per target instead of grouping every measure. Overdue depends on the day: it is the
/// count as of overdue_on, and a row of another day is counted again when read. Filled here from the measures already
/// written, with no day yet (counted on the first read, or by the next daily scan).
/// </summary>
[Migration(202701150901, "Measures: per-target counts kept with each measure change")]
public sealed class M202701150901_TargetMeasureCounts : Migration
{
    public override void Up()
    {
        Create.Table("target_measure_counts")
            .WithColumn("village_code").AsString(12).NotNullable().PrimaryKey("pk_target_measure_counts")
            .WithColumn("campaign_year").AsInt32().NotNullable().PrimaryKey("pk_target_measure_counts")
            .WithColumn("total").AsInt32().NotNullable()
            .WithColumn("completed").AsInt32().NotNullable()
            .WithColumn("closed").AsInt32().NotNullable()
            .WithColumn("reopened").AsInt32().NotNullable()
            .WithColumn("overdue").AsInt32().NotNullable()
            .WithColumn("overdue_on").AsDate().Nullable();
        // Statuses as numbered in measures.proto: 3 completed, 4 closed, 5 reopened.
        Execute.Sql("""
            INSERT INTO target_measure_counts (village_code, campaign_year, total, completed, closed, reopened, overdue, overdue_on)
            SELECT village_code, campaign_year, COUNT(*),
                   SUM(CASE WHEN status = 3 THEN 1 ELSE 0 END), SUM(CASE WHEN status = 4 THEN 1 ELSE 0 END),
                   SUM(CASE WHEN status = 5 THEN 1 ELSE 0 END), 0, NULL
            FROM measures GROUP BY village_code, campaign_year
            """);
    }

    public override void Down() => Delete.Table("target_measure_counts");
}
