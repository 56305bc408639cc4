using FluentMigrator;

namespace Rectify.Reporting.Migrations;

/// <summary>request_replies by age, for RequestReplyRetention: the prune reads the oldest rows first, without a scan.</summary>
[Migration(202612200301, "request_replies indexed by recorded_at for its retention")]
public sealed class M202612200301_RequestRepliesByAge : Migration
{
    public override void Up() =>
        Create.Index("ix_request_replies_recorded_at").OnTable("request_replies").OnColumn("recorded_at").Ascending();

    public override void Down() => Delete.Index("ix_request_replies_recorded_at").OnTable("request_replies");
}
