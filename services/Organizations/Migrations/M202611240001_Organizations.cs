using FluentMigrator;

namespace Rectify.Organizations.Migrations;

[Migration(202611240001, "Units, their history, profiles and assignments")]
public sealed class M202611240001_Organizations : Migration
{
    public override void Up()
    {
        Create.Table("units")
            .WithColumn("code").AsString(12).NotNullable().PrimaryKey("pk_units")
            .WithColumn("name").AsString(100).NotNullable()
            .WithColumn("level").AsInt32().NotNullable()
            .WithColumn("parent_code").AsString(12).Nullable()
            .WithColumn("status").AsInt32().NotNullable()
            .WithColumn("closed_on").AsDate().Nullable()
            .WithColumn("merged_into").AsString(12).Nullable()
            .WithColumn("registered_at").AsDateTime2().NotNullable();
        Create.Index("ix_units_parent_code").OnTable("units").OnColumn("parent_code").Ascending().OnColumn("code").Ascending();

        // The unit's history: nothing here is ever updated or deleted.
        Create.Table("unit_changes")
            .WithColumn("id").AsInt64().PrimaryKey("pk_unit_changes").Identity()
            .WithColumn("code").AsString(12).NotNullable()
            .WithColumn("kind").AsInt32().NotNullable()
            .WithColumn("old_name").AsString(100).Nullable()
            .WithColumn("new_name").AsString(100).Nullable()
            .WithColumn("related_code").AsString(12).Nullable()
            .WithColumn("effective_on").AsDate().Nullable()
            .WithColumn("reason").AsString(500).Nullable()
            .WithColumn("recorded_by").AsString(100).NotNullable()
            .WithColumn("recorded_at").AsDateTime2().NotNullable();
        Create.Index("ix_unit_changes_code").OnTable("unit_changes").OnColumn("code").Ascending().OnColumn("id").Ascending();

        Create.Table("profiles")
            .WithColumn("village_code").AsString(12).NotNullable().PrimaryKey("pk_profiles")
            .WithColumn("year").AsInt32().NotNullable().PrimaryKey("pk_profiles")
            .WithColumn("organization_type").AsInt32().NotNullable()
            .WithColumn("secretary_name").AsString(50).Nullable()
            .WithColumn("secretary_is_director").AsBoolean().NotNullable()
            .WithColumn("committee_size").AsInt32().NotNullable()
            .WithColumn("committee_vacancies").AsInt32().NotNullable()
            .WithColumn("members").AsInt32().NotNullable()
            .WithColumn("women_members").AsInt32().NotNullable()
            .WithColumn("age_30_or_under").AsInt32().NotNullable()
            .WithColumn("age_31_to_40").AsInt32().NotNullable()
            .WithColumn("age_41_to_45").AsInt32().NotNullable()
            .WithColumn("age_46_to_60").AsInt32().NotNullable()
            .WithColumn("age_over_60").AsInt32().NotNullable()
            .WithColumn("households").AsInt32().NotNullable()
            .WithColumn("population").AsInt32().NotNullable()
            .WithColumn("collective_operating_income_yuan").AsInt64().NotNullable()
            .WithColumn("updated_by").AsString(100).NotNullable()
            .WithColumn("updated_at").AsDateTime2().NotNullable();

        Create.Table("assignments")
            .WithColumn("id").AsString(36).NotNullable().PrimaryKey("pk_assignments")
            .WithColumn("village_code").AsString(12).NotNullable()
            .WithColumn("year").AsInt32().NotNullable()
            .WithColumn("kind").AsInt32().NotNullable()
            .WithColumn("assignee").AsString(100).NotNullable()
            .WithColumn("position").AsString(100).Nullable()
            .WithColumn("phone").AsString(30).Nullable()
            .WithColumn("assigned_on").AsDate().NotNullable()
            .WithColumn("assigned_by").AsString(100).NotNullable()
            .WithColumn("removed_on").AsDate().Nullable()
            .WithColumn("removed_by").AsString(100).Nullable()
            .WithColumn("removal_reason").AsString(500).Nullable();
        Create.Index("ix_assignments_village_year").OnTable("assignments").OnColumn("village_code").Ascending().OnColumn("year").Ascending();
    }

    public override void Down()
    {
        Delete.Table("assignments");
        Delete.Table("profiles");
        Delete.Table("unit_changes");
        Delete.Table("units");
    }
}
