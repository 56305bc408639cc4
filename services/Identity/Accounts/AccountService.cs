using System.Text.RegularExpressions;
using Dapper;
using Microsoft.AspNetCore.Identity;
using Rectify.Identity.SignIn;
using Rectify.Identity.V1;
using Rectify.Kernel;
using Rectify.Platform;
using Rectify.Platform.Errors;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;
using Role = Rectify.Kernel.Role;
using SecurityEvent = Rectify.Platform.Identity.SecurityEvent;

namespace Rectify.Identity.Accounts;

/// <summary>
/// People's accounts, managed by an admin of their unit or a unit above it. An account outside the admin's subtree
/// does not exist for it (NotFound). Disabling, a reset and a password change revoke the account's refresh tokens,
/// so its access ends when the current short-lived access token does.
/// </summary>
public sealed partial class AccountService(Database<IdentityModule> database, SecurityEvents security, TimeProvider clock)
{
    public const int MaxPageSize = 200;

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$")]
    private static partial Regex UserNamePattern();

    public static string? CheckUserName(Violations v, string? userName)
    {
        var name = userName?.Trim() ?? "";
        return v.Check(UserNamePattern().IsMatch(name), "user_name", "must be 2 to 64 letters, digits, '.', '-' or '_', starting with a letter or digit") ? name : null;
    }

    public static Task InsertAsync(DbSession session, AccountRow row) => session.ExecuteAsync("""
        INSERT INTO accounts (user_name, display_name, org_code, role, password_hash, must_change_password, disabled, failed_logins, created_at, created_by)
        VALUES (@UserName, @DisplayName, @OrgCode, @Role, @PasswordHash, @MustChangePassword, @Disabled, 0, @CreatedAt, @CreatedBy)
        """, row);

    public async Task<Account> CreateAsync(Caller caller, CreateAccountRequest request, string? remote, CancellationToken ct)
    {
        var (userName, displayName, org, role, password) = CreateAccountInput.Parse(request);
        caller.EnsureAdmin(org, "Creating accounts");
        var now = clock.GetUtcNow();
        var row = new AccountRow
        {
            UserName = userName, DisplayName = displayName, OrgCode = org.Value, Role = (int)role, PasswordHash = Passwords.Hash(password),
            // The admin chose this password: the person replaces it at first sign-in.
            MustChangePassword = true, CreatedAt = now.UtcDateTime, CreatedBy = caller.Subject,
        };
        await database.WriteAsync(async session =>
        {
            if (await session.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM accounts WHERE user_name = @UserName", new { row.UserName }) > 0)
                throw new AlreadyExistsException("account", row.UserName);
            await InsertAsync(session, row);
        }, ct);
        security.Record(new SecurityEvent(SecurityEvent.AccountCreated, caller.Subject, row.OrgCode, $"created {row.UserName} as {role.ToString().ToLowerInvariant()}", remote));
        return row.ToProto(now);
    }

    public async Task<ListAccountsResponse> ListAsync(Caller caller, ListAccountsRequest request, CancellationToken ct)
    {
        var (org, paging) = ListAccountsInput.Parse(request, caller.Org);
        caller.EnsureAdmin(org, "Listing accounts");
        var (low, high) = org.SubtreeRange;
        var rows = (await database.ReadAsync(c => c.QueryAsync<AccountRow>($"""
            SELECT {AccountRow.Columns} FROM accounts WHERE org_code BETWEEN @low AND @high ORDER BY org_code, user_name
            {database.Sql.Page("@size", "@offset")}
            """, new { low, high, size = paging.Size, offset = paging.Offset }), ct)).ToList();
        var now = clock.GetUtcNow();
        var response = new ListAccountsResponse { NextPageToken = paging.NextToken(rows.Count) };
        response.Accounts.AddRange(rows.Select(r => r.ToProto(now)));
        return response;
    }

    public Task<Account> DisableAsync(Caller caller, AccountRequest request, string? remote, CancellationToken ct) =>
        ChangeAsync(caller, request.UserName, remote, SecurityEvent.AccountDisabled, "disabled", async (session, row, now) =>
        {
            if (row.UserName == caller.Subject) throw new PreconditionFailedException("SELF", row.UserName, "An admin may not disable its own account.");
            await session.ExecuteAsync("UPDATE accounts SET disabled = @yes WHERE user_name = @UserName", new { yes = true, row.UserName });
            await SignInService.RevokeAllAsync(session, row.UserName, now);
        }, ct);

    public Task<Account> EnableAsync(Caller caller, AccountRequest request, string? remote, CancellationToken ct) =>
        ChangeAsync(caller, request.UserName, remote, SecurityEvent.AccountEnabled, "enabled", (session, row, _) =>
            session.ExecuteAsync("UPDATE accounts SET disabled = @no, failed_logins = 0, locked_until = NULL WHERE user_name = @UserName", new { no = false, row.UserName }), ct);

    public Task<Account> ResetPasswordAsync(Caller caller, ResetPasswordRequest request, string? remote, CancellationToken ct)
    {
        var (userName, newPassword) = ResetPasswordInput.Parse(request);
        return ChangeAsync(caller, userName, remote, SecurityEvent.PasswordReset, "password reset", async (session, row, now) =>
        {
            await session.ExecuteAsync("""
                UPDATE accounts SET password_hash = @hash, must_change_password = @yes, failed_logins = 0, locked_until = NULL WHERE user_name = @UserName
                """, new { hash = Passwords.Hash(newPassword), yes = true, row.UserName });
            await SignInService.RevokeAllAsync(session, row.UserName, now);
        }, ct);
    }

    /// <summary>The caller's own password; the current one is required, and every other sign-in of the account ends.</summary>
    public async Task<Account> ChangePasswordAsync(Caller caller, ChangePasswordRequest request, string? remote, CancellationToken ct)
    {
        var (currentPassword, newPassword) = ChangePasswordInput.Parse(request, caller.Subject);
        var now = clock.GetUtcNow();
        var row = await database.ReadAsync(c => c.QuerySingleOrDefaultAsync<AccountRow>($"SELECT {AccountRow.Columns} FROM accounts WHERE user_name = @user", new { user = caller.Subject }), ct)
            ?? throw new PreconditionFailedException("NOT_A_PERSON", caller.Subject, "Only a person's account has a password to change.");
        if (Passwords.Verify(row.PasswordHash, currentPassword) == PasswordVerificationResult.Failed)
        {
            security.Record(new SecurityEvent(SecurityEvent.LoginFailed, row.UserName, row.OrgCode, "wrong current password on a password change", remote));
            throw ValidationException.For("current_password", "is wrong");
        }
        await database.WriteAsync(async session =>
        {
            await session.ExecuteAsync("UPDATE accounts SET password_hash = @hash, must_change_password = @no WHERE user_name = @UserName",
                new { hash = Passwords.Hash(newPassword), no = false, row.UserName });
            await SignInService.RevokeAllAsync(session, row.UserName, now);
        }, ct);
        security.Record(new SecurityEvent(SecurityEvent.PasswordChanged, row.UserName, row.OrgCode, "changed own password", remote));
        row.MustChangePassword = false;
        return row.ToProto(now);
    }

    public Task<AccountRow?> FindAsync(string userName, CancellationToken ct) => database.ReadAsync(c =>
        c.QuerySingleOrDefaultAsync<AccountRow>($"SELECT {AccountRow.Columns} FROM accounts WHERE user_name = @userName", new { userName }), ct);

    private async Task<Account> ChangeAsync(Caller caller, string userName, string? remote, string kind, string what,
        Func<DbSession, AccountRow, DateTimeOffset, Task> change, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var row = await database.WriteAsync(async session =>
        {
            var row = await session.QuerySingleOrDefaultAsync<AccountRow>($"SELECT {AccountRow.Columns} FROM accounts WHERE user_name = @userName", new { userName });
            // Outside the admin's subtree an account is as good as absent: its existence is not the caller's business.
            if (row is null || !caller.CanSee(row.Org)) throw new NotFoundException("account", userName);
            caller.EnsureAdmin(row.Org, "Managing accounts");
            await change(session, row, now);
            return (await session.QuerySingleOrDefaultAsync<AccountRow>($"SELECT {AccountRow.Columns} FROM accounts WHERE user_name = @userName", new { userName }))!;
        }, ct);
        security.Record(new SecurityEvent(kind, caller.Subject, row.OrgCode, $"{row.UserName} {what}", remote));
        return row.ToProto(now);
    }
}
