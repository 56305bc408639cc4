using FluentMigrator;

namespace Rectify.Measures.Migrations;

[Migration(202612101601, "Targets of an earlier year entered as history: their open measures are not chased")]
public sealed class M202612101601_TargetsEnteredAsHistory : Migration
{
    public override void Up() =>
        Alter.Table("targets").AddColumn("entered_as_history").AsBoolean().NotNullable().WithDefaultValue(false);

    public override void Down() => Delete.Column("entered_as_history").FromTable("targets");
}
