using FluentMigrator;

namespace Rectify.Gateway.Migrations;

/// <summary>
/// Monotonic projections. <c>version</c> is the publisher's version of the aggregate (measure, target, report) whose
/// state the row holds; a change is written only when its version is newer (a conditional update), so events consumed
/// concurrently, out of order or twice leave the newest state. Some fields come from one kind of event only and keep
/// their own version: a target's designation facts (<c>facts_version</c>), a report's submitted totals and timeliness
/// (<c>totals_version</c>). <c>writes</c> counts the gateway's own writes of the row: the in-memory model keeps the copy
/// with the most, whatever order the commits' after-actions run in. Rows written before start at 0: the next versioned
/// event replaces them, an event from before versions is still judged by its time (as_of).
/// </summary>
[Migration(202612121401, "Read model: publisher versions and write counts")]
public sealed class M202612121401_Versions : Migration
{
    public override void Up()
    {
        Alter.Table("rm_units").AddColumn("writes").AsInt64().NotNullable().WithDefaultValue(0);
        Alter.Table("rm_plans").AddColumn("writes").AsInt64().NotNullable().WithDefaultValue(0);
        Alter.Table("rm_targets")
            .AddColumn("version").AsInt64().NotNullable().WithDefaultValue(0)
            .AddColumn("facts_version").AsInt64().NotNullable().WithDefaultValue(0)
            .AddColumn("writes").AsInt64().NotNullable().WithDefaultValue(0);
        Alter.Table("rm_measures")
            .AddColumn("version").AsInt64().NotNullable().WithDefaultValue(0)
            .AddColumn("writes").AsInt64().NotNullable().WithDefaultValue(0);
        Alter.Table("rm_reports")
            .AddColumn("version").AsInt64().NotNullable().WithDefaultValue(0)
            .AddColumn("totals_version").AsInt64().NotNullable().WithDefaultValue(0)
            .AddColumn("writes").AsInt64().NotNullable().WithDefaultValue(0);
    }

    public override void Down()
    {
        Delete.Column("writes").FromTable("rm_units");
        Delete.Column("writes").FromTable("rm_plans");
        Delete.Column("version").Column("facts_version").Column("writes").FromTable("rm_targets");
        Delete.Column("version").Column("writes").FromTable("rm_measures");
        Delete.Column("version").Column("totals_version").Column("writes").FromTable("rm_reports");
    }
}
