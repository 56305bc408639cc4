using FluentMigrator;

namespace Rectify.Reporting.Migrations;

/// <summary>
/// Client request ids scoped to the caller's unit and the RPC (issue 9): push_requests was keyed by the id alone, so a
/// township that happened to use another's id got the other's report back and its own push was dropped, and the county
/// summary shared the pushes' id space. request_replies is keyed by (unit_code, rpc, client_request_id).
/// </summary>
[Migration(202612090301, "Client request ids keyed by the caller's unit and the RPC")]
public sealed class M202612090301_ScopedRequestIds : Migration
{
    public override void Up()
    {
        Create.Table("request_replies")
            // The caller's unit (its token's org), not the unit the request names: a county pushing for a township has its own ids.
            .WithColumn("unit_code").AsString(12).NotNullable().PrimaryKey("pk_request_replies")
            .WithColumn("rpc").AsString(60).NotNullable().PrimaryKey("pk_request_replies")
            .WithColumn("client_request_id").AsString(64).NotNullable().PrimaryKey("pk_request_replies")
            // What the request was about and a hash of its bytes: the same id reused for another request is refused, not replayed.
            .WithColumn("target_code").AsString(12).NotNullable()
            .WithColumn("request_hash").AsString(64).Nullable()
            // Null only inside the transaction that claimed the key; committed rows always carry the answer.
            .WithColumn("response").AsString(int.MaxValue).Nullable()
            .WithColumn("recorded_at").AsDateTime2().NotNullable();

        // The old rows were recorded for the unit the report is about, which is the caller in every push so far (a township
        // pushing its own report, a county submitting its summary); their request bytes were not kept, so they carry no hash.
        // A county's code ends in six zeros, a township's does not: that tells the two RPCs apart in SQL every engine shares.
        Execute.Sql("""
            INSERT INTO request_replies (unit_code, rpc, client_request_id, target_code, request_hash, response, recorded_at)
            SELECT unit_code,
                   CASE WHEN unit_code LIKE '%000000' THEN 'SubmitCountySummary' ELSE 'PushReport' END,
                   client_request_id, unit_code, NULL, response, recorded_at
            FROM push_requests
            """);
        Delete.Table("push_requests");
    }

    public override void Down()
    {
        Create.Table("push_requests")
            .WithColumn("client_request_id").AsString(64).NotNullable().PrimaryKey("pk_push_requests")
            .WithColumn("unit_code").AsString(12).NotNullable()
            .WithColumn("response").AsString(int.MaxValue).NotNullable()
            .WithColumn("recorded_at").AsDateTime2().NotNullable();
        // Only ids used once fit the old key; the others cannot go back without leaking one unit's answer to another.
        Execute.Sql("""
            INSERT INTO push_requests (client_request_id, unit_code, response, recorded_at)
            SELECT client_request_id, target_code, response, recorded_at FROM request_replies
            WHERE response IS NOT NULL AND client_request_id IN
                (SELECT client_request_id FROM request_replies GROUP BY client_request_id HAVING COUNT(*) = 1)
            """);
        Delete.Table("request_replies");
    }
}
