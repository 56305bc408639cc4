using FluentMigrator;

namespace Rectify.Identity.Migrations;

[Migration(202611250001, "Accounts, machine clients, refresh tokens, security events")]
public sealed class M202611250001_Identity : Migration
{
    public override void Up()
    {
        Create.Table("accounts")
            .WithColumn("user_name").AsString(64).NotNullable().PrimaryKey("pk_accounts")
            .WithColumn("display_name").AsString(100).NotNullable()
            .WithColumn("org_code").AsString(12).NotNullable()
            .WithColumn("role").AsInt32().NotNullable()
            .WithColumn("password_hash").AsString(400).NotNullable()
            .WithColumn("must_change_password").AsBoolean().NotNullable()
            .WithColumn("disabled").AsBoolean().NotNullable()
            .WithColumn("failed_logins").AsInt32().NotNullable()
            .WithColumn("locked_until").AsDateTime2().Nullable()
            .WithColumn("created_at").AsDateTime2().NotNullable()
            .WithColumn("created_by").AsString(100).NotNullable()
            .WithColumn("last_login_at").AsDateTime2().Nullable();
        Create.Index("ix_accounts_org").OnTable("accounts").OnColumn("org_code").Ascending();

        Create.Table("clients")
            .WithColumn("client_id").AsString(64).NotNullable().PrimaryKey("pk_clients")
            .WithColumn("name").AsString(100).NotNullable()
            .WithColumn("org_code").AsString(12).NotNullable()
            .WithColumn("role").AsInt32().NotNullable()
            .WithColumn("secret_hash").AsString(400).NotNullable()
            .WithColumn("revoked").AsBoolean().NotNullable()
            .WithColumn("created_at").AsDateTime2().NotNullable()
            .WithColumn("created_by").AsString(100).NotNullable();
        Create.Index("ix_clients_org").OnTable("clients").OnColumn("org_code").Ascending();

        // Only a hash of each refresh token is kept. A family is one sign-in's chain of rotated tokens: a used-up token
        // presented again means it was stolen, and the whole family is revoked.
        Create.Table("refresh_tokens")
            .WithColumn("token_hash").AsString(64).NotNullable().PrimaryKey("pk_refresh_tokens")
            .WithColumn("family_id").AsString(36).NotNullable()
            .WithColumn("user_name").AsString(64).NotNullable()
            .WithColumn("created_at").AsDateTime2().NotNullable()
            .WithColumn("expires_at").AsDateTime2().NotNullable()
            .WithColumn("used_at").AsDateTime2().Nullable()
            .WithColumn("revoked_at").AsDateTime2().Nullable();
        Create.Index("ix_refresh_tokens_user").OnTable("refresh_tokens").OnColumn("user_name").Ascending();
        Create.Index("ix_refresh_tokens_family").OnTable("refresh_tokens").OnColumn("family_id").Ascending();

        Create.Table("security_events")
            .WithColumn("id").AsString(36).NotNullable().PrimaryKey("pk_security_events")
            .WithColumn("at").AsDateTime2().NotNullable()
            .WithColumn("kind").AsString(40).NotNullable()
            .WithColumn("subject").AsString(100).NotNullable()
            .WithColumn("org_code").AsString(12).Nullable()
            .WithColumn("detail").AsString(1000).NotNullable()
            .WithColumn("remote").AsString(64).Nullable();
        Create.Index("ix_security_events_at").OnTable("security_events").OnColumn("at").Descending();
    }

    public override void Down()
    {
        Delete.Table("security_events");
        Delete.Table("refresh_tokens");
        Delete.Table("clients");
        Delete.Table("accounts");
    }
}
