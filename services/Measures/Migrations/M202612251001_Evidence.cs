using FluentMigrator;

namespace Rectify.Measures.Migrations;

/// <summary>
/// Photos as evidence (佐证照片), stored with the measure: the photo and its thumbnail as binary (BLOB, bytea, VARBINARY(MAX)).
/// Uploads arrive in chunks, each its own row, so a dropped connection keeps what arrived and appending never rewrites a blob.
/// </summary>
[Migration(202612251001, "Measures: evidence photos and their chunked uploads")]
public sealed class M202612251001_Evidence : Migration
{
    public override void Up()
    {
        Create.Table("evidence_uploads")
            .WithColumn("id").AsString(36).NotNullable().PrimaryKey("pk_evidence_uploads")
            .WithColumn("measure_id").AsString(36).NotNullable()
            .WithColumn("uploaded_by").AsString(100).NotNullable()
            .WithColumn("file_name").AsString(200).NotNullable()
            .WithColumn("content_type").AsString(40).NotNullable()
            .WithColumn("size_bytes").AsInt64().NotNullable()
            .WithColumn("sha256").AsString(64).NotNullable()
            .WithColumn("received_bytes").AsInt64().NotNullable()
            .WithColumn("started_at").AsDateTime2().NotNullable();
        Create.Index("ix_evidence_uploads_resume").OnTable("evidence_uploads")
            .OnColumn("measure_id").Ascending().OnColumn("uploaded_by").Ascending().OnColumn("sha256").Ascending();

        Create.Table("evidence_upload_chunks")
            .WithColumn("upload_id").AsString(36).NotNullable().PrimaryKey("pk_evidence_upload_chunks")
            .WithColumn("chunk_offset").AsInt64().NotNullable().PrimaryKey("pk_evidence_upload_chunks")
            .WithColumn("data").AsBinary(int.MaxValue).NotNullable();

        Create.Table("evidence")
            .WithColumn("id").AsString(36).NotNullable().PrimaryKey("pk_evidence")
            .WithColumn("measure_id").AsString(36).NotNullable()
            // The order photos were added in, 1, 2, …: two uploads in the same instant keep it.
            .WithColumn("position").AsInt32().NotNullable()
            .WithColumn("file_name").AsString(200).NotNullable()
            .WithColumn("content_type").AsString(40).NotNullable()
            .WithColumn("size_bytes").AsInt64().NotNullable()
            .WithColumn("sha256").AsString(64).NotNullable()
            .WithColumn("width").AsInt32().NotNullable()
            .WithColumn("height").AsInt32().NotNullable()
            .WithColumn("uploaded_by").AsString(100).NotNullable()
            .WithColumn("uploaded_at").AsDateTime2().NotNullable()
            .WithColumn("content").AsBinary(int.MaxValue).NotNullable()
            .WithColumn("thumbnail").AsBinary(int.MaxValue).NotNullable();
        Create.Index("ix_evidence_measure").OnTable("evidence").OnColumn("measure_id").Ascending();
    }

    public override void Down()
    {
        Delete.Table("evidence");
        Delete.Table("evidence_upload_chunks");
        Delete.Table("evidence_uploads");
    }
}
