using FluentMigrator;

namespace Rectify.Platform.Outbox;

/// <summary>
/// Leases that let one replica of a service at a time run its outbox relay and each of its jobs (Hosting/Lease):
/// the name of the work, who holds it and until when.
/// </summary>
[Migration(202611251530, "Job leases")]
public sealed class JobLeasesMigration : Migration
{
    public override void Up() => Create.Table("job_leases")
        .WithColumn("name").AsString(100).NotNullable().PrimaryKey("pk_job_leases")
        .WithColumn("holder").AsString(100).NotNullable()
        .WithColumn("expires_at").AsDateTime2().NotNullable();

    public override void Down() => Delete.Table("job_leases");
}
