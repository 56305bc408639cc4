using FluentMigrator;

namespace Rectify.Gateway.Migrations;

/// <summary>
/// A rebuild owed to the read model: marked when the gateway starts on an empty one, before its consumers run (events
/// waiting in its queues would otherwise make it look non-empty a moment later), cleared when the rebuild completes
/// (so a crash half-way through rebuilds again at the next start).
/// </summary>
[Migration(202612250401, "Read model: a pending rebuild")]
public sealed class M202612250401_RebuildPending : Migration
{
    public override void Up() =>
        Create.Table("rm_rebuild_pending")
            .WithColumn("scope_code").AsString(12).NotNullable().PrimaryKey("pk_rm_rebuild_pending");

    public override void Down() => Delete.Table("rm_rebuild_pending");
}
