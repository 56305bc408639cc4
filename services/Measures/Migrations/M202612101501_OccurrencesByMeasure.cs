using FluentMigrator;

namespace Rectify.Measures.Migrations;

[Migration(202612101501, "Deadline occurrences found by measure: the scan looks back for measures first seen past their deadline")]
public sealed class M202612101501_OccurrencesByMeasure : Migration
{
    public override void Up() =>
        Create.Index("ix_deadline_occurrences_measure").OnTable("deadline_occurrences").OnColumn("measure_id").Ascending().OnColumn("scan_date").Ascending();

    public override void Down() => Delete.Index("ix_deadline_occurrences_measure").OnTable("deadline_occurrences");
}
