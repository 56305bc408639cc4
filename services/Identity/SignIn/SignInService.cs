using System.Security.Claims;
using System.Security.Cryptography;
using Dapper;
using Grpc.Core;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Logging;
using Rectify.Identity.Accounts;
using Rectify.Identity.V1;
using Rectify.Kernel;
using Rectify.Platform;
using Rectify.Platform.Errors;
using Rectify.Platform.Hosting;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;
using Role = Rectify.Kernel.Role;
using SecurityEvent = Rectify.Platform.Identity.SecurityEvent;

namespace Rectify.Identity.SignIn;

/// <summary>
/// Sign-in: a password for a short-lived access token and a refresh token. Refresh tokens rotate on every use and are
/// kept only as hashes; presenting a used-up one revokes its whole family (it was copied). Five wrong passwords in a
/// row lock the account; every failure is recorded.
/// </summary>
public sealed class SignInService(
    Database<IdentityModule> database, IssuerKey key, RectifyOptions options, IdentityOptions identity, SignInThrottle throttle,
    SecurityEvents security, TimeProvider clock, ILogger<SignInService> logger)
{
    private const string Refused = "The user name or password is wrong, or the account is locked or disabled.";
    private string? _bootstrapCode = identity.BootstrapCode;

    public async Task<TokenResponse> LoginAsync(LoginRequest request, string? remote, CancellationToken ct)
    {
        var userName = request.UserName.Trim();
        if (!throttle.TryEnter(remote))
        {
            security.Record(new SecurityEvent(SecurityEvent.LoginRateLimited, userName, null, "too many sign-ins from this address", remote));
            throw new RpcException(new Status(StatusCode.ResourceExhausted, "Too many sign-in attempts from this address; wait a minute."));
        }
        var now = clock.GetUtcNow();
        var account = await database.ReadAsync(c => c.QuerySingleOrDefaultAsync<AccountRow>(
            $"SELECT {AccountRow.Columns} FROM accounts WHERE user_name = @userName", new { userName }), ct);
        // Verified even for an unknown or locked account, so timing tells nothing about which it was.
        var verdict = Passwords.Verify(account?.PasswordHash, request.Password);
        if (account is null || account.Disabled || account.IsLocked(now) || verdict == PasswordVerificationResult.Failed)
        {
            var why = account is null ? "unknown user" : account.Disabled ? "account disabled" : account.IsLocked(now) ? "account locked" : "wrong password";
            security.Record(new SecurityEvent(SecurityEvent.LoginFailed, userName, account?.OrgCode, why, remote));
            if (account is { Disabled: false } && !account.IsLocked(now)) await CountFailureAsync(account, remote, now, ct);
            throw Unauthenticated(Refused);
        }
        var rehash = verdict == PasswordVerificationResult.SuccessRehashNeeded ? Passwords.Hash(request.Password) : null;
        var response = await database.WriteAsync(async session =>
        {
            await session.ExecuteAsync("""
                UPDATE accounts SET failed_logins = 0, locked_until = NULL, last_login_at = @now, password_hash = COALESCE(@rehash, password_hash)
                WHERE user_name = @userName
                """, new { now = now.UtcDateTime, rehash, userName = account.UserName });
            return await IssueAsync(session, account, Guid.NewGuid().ToString(), now);
        }, ct);
        security.Record(new SecurityEvent(SecurityEvent.LoginSucceeded, account.UserName, account.OrgCode, "signed in", remote));
        return response;
    }

    private async Task CountFailureAsync(AccountRow account, string? remote, DateTimeOffset now, CancellationToken ct)
    {
        var locked = await database.WriteAsync(async session =>
        {
            var failures = await session.ExecuteScalarAsync<int>(
                "SELECT failed_logins FROM accounts WHERE user_name = @UserName", new { account.UserName }) + 1;
            var lockNow = failures >= identity.MaxFailedSignIns;
            await session.ExecuteAsync("UPDATE accounts SET failed_logins = @failures, locked_until = @until WHERE user_name = @UserName", new
            {
                failures = lockNow ? 0 : failures,
                until = lockNow ? (now + identity.LockoutDuration).UtcDateTime : (DateTime?)null,
                account.UserName,
            });
            return lockNow;
        }, ct);
        if (locked)
            security.Record(new SecurityEvent(SecurityEvent.AccountLocked, account.UserName, account.OrgCode,
                $"{identity.MaxFailedSignIns} wrong passwords in a row; locked for {identity.LockoutDuration.TotalMinutes:0} minutes", remote));
    }

    public async Task<TokenResponse> RefreshAsync(RefreshRequest request, string? remote, CancellationToken ct)
    {
        var refresh = RefreshInput.Parse(request);
        if (!throttle.TryEnter(remote)) throw new RpcException(new Status(StatusCode.ResourceExhausted, "Too many token requests from this address; wait a minute."));
        var now = clock.GetUtcNow();
        var hash = Passwords.HashSecret(refresh.RefreshToken);
        var (response, refusal) = await database.WriteAsync(async session =>
        {
            var token = await session.QuerySingleOrDefaultAsync<RefreshRow>(
                $"SELECT {RefreshRow.Columns} FROM refresh_tokens WHERE token_hash = @hash", new { hash });
            if (token is null) return ((TokenResponse?)null, (SecurityEvent?)null);
            if (token.UsedAt is not null && token.RevokedAt is null)
            {
                // A rotated token came back: someone holds a copy. End the whole sign-in.
                await RevokeFamilyAsync(session, token.FamilyId, now);
                return (null, new SecurityEvent(SecurityEvent.RefreshTokenReused, token.UserName, null, "a used refresh token was presented again; the sign-in is revoked", remote));
            }
            if (token.RevokedAt is not null || token.ExpiresAt.AsUtc() <= now.UtcDateTime) return (null, null);
            var account = await session.QuerySingleOrDefaultAsync<AccountRow>($"SELECT {AccountRow.Columns} FROM accounts WHERE user_name = @UserName", new { token.UserName });
            if (account is null || account.Disabled) return (null, null);
            await session.ExecuteAsync("UPDATE refresh_tokens SET used_at = @now WHERE token_hash = @hash", new { now = now.UtcDateTime, hash });
            return (await IssueAsync(session, account, token.FamilyId, now), null);
        }, ct);
        if (refusal is not null) security.Record(refusal);
        return response ?? throw Unauthenticated("The refresh token is not valid any more; sign in again.");
    }

    public async Task<LogoutResponse> LogoutAsync(RefreshRequest request, string? remote, CancellationToken ct)
    {
        var hash = Passwords.HashSecret(request.RefreshToken ?? "");
        var now = clock.GetUtcNow();
        var user = await database.WriteAsync(async session =>
        {
            var token = await session.QuerySingleOrDefaultAsync<RefreshRow>($"SELECT {RefreshRow.Columns} FROM refresh_tokens WHERE token_hash = @hash", new { hash });
            if (token is null) return null;
            await RevokeFamilyAsync(session, token.FamilyId, now);
            return token.UserName;
        }, ct);
        if (user is not null) security.Record(new SecurityEvent(SecurityEvent.TokenRevoked, user, null, "signed out", remote));
        return new LogoutResponse();
    }

    /// <summary>The first admin, once, with the code printed at start: a new installation has no one to create accounts.</summary>
    public async Task<Account> BootstrapAsync(BootstrapRequest request, string? remote, CancellationToken ct)
    {
        if (!throttle.TryEnter(remote)) throw new RpcException(new Status(StatusCode.ResourceExhausted, "Too many attempts from this address; wait a minute."));
        var admin = BootstrapInput.Parse(request);
        var code = _bootstrapCode;
        if (code is null || !CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(code), System.Text.Encoding.UTF8.GetBytes(admin.Code)))
        {
            security.Record(new SecurityEvent(SecurityEvent.LoginFailed, admin.UserName, admin.Org.Value, "wrong or used bootstrap code", remote));
            throw new PermissionDeniedException("The bootstrap code is wrong, or the first admin exists already.");
        }
        var now = clock.GetUtcNow();
        var created = await database.WriteAsync(async session =>
        {
            if (await session.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM accounts") > 0) return null;
            var row = new AccountRow
            {
                UserName = admin.UserName, DisplayName = admin.DisplayName, OrgCode = admin.Org.Value, Role = (int)Role.Admin, PasswordHash = Passwords.Hash(admin.Password),
                CreatedAt = now.UtcDateTime, CreatedBy = "bootstrap",
            };
            await AccountService.InsertAsync(session, row);
            return row;
        }, ct) ?? throw new PermissionDeniedException("The bootstrap code is wrong, or the first admin exists already.");
        _bootstrapCode = null;
        security.Record(new SecurityEvent(SecurityEvent.Bootstrapped, created.UserName, created.OrgCode, "first admin created", remote));
        return created.ToProto(now);
    }

    /// <summary>At start: while no account exists, prints a one-time code for <see cref="BootstrapAsync"/>.</summary>
    public async Task OfferBootstrapAsync(CancellationToken ct)
    {
        if (await database.ReadAsync(c => c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM accounts"), ct) > 0) { _bootstrapCode = null; return; }
        _bootstrapCode ??= Passwords.NewSecret()[..12];
        if (identity.BootstrapCode is null)
            logger.LogWarning("No account exists yet. Create the first admin with: rectify-cli bootstrap --code {Code} --user NAME --org CODE (the code is valid until then)", _bootstrapCode);
    }

    public string AccessToken(AccountRow account, DateTimeOffset now) =>
        TokenIssuer.Mint(key.Credentials, options.Auth.Issuer, options.Auth.Audience, account.UserName, account.Org, account.PlatformRole, now,
            options.Auth.AccessTokenLifetime, [new Claim(TokenIssuer.NameClaim, account.DisplayName)]);

    private async Task<TokenResponse> IssueAsync(DbSession session, AccountRow account, string familyId, DateTimeOffset now)
    {
        var refresh = Passwords.NewSecret();
        var refreshExpires = now + options.Auth.RefreshTokenLifetime;
        await session.ExecuteAsync("""
            INSERT INTO refresh_tokens (token_hash, family_id, user_name, created_at, expires_at)
            VALUES (@hash, @familyId, @UserName, @now, @expires)
            """, new { hash = Passwords.HashSecret(refresh), familyId, account.UserName, now = now.UtcDateTime, expires = refreshExpires.UtcDateTime });
        return new TokenResponse
        {
            AccessToken = AccessToken(account, now),
            AccessTokenExpiresAt = (now + options.Auth.AccessTokenLifetime).ToProto(),
            RefreshToken = refresh,
            RefreshTokenExpiresAt = refreshExpires.ToProto(),
            Account = account.ToProto(now),
            MustChangePassword = account.MustChangePassword,
        };
    }

    public static Task RevokeFamilyAsync(DbSession session, string familyId, DateTimeOffset now) => session.ExecuteAsync(
        "UPDATE refresh_tokens SET revoked_at = @now WHERE family_id = @familyId AND revoked_at IS NULL", new { now = now.UtcDateTime, familyId });

    public static Task RevokeAllAsync(DbSession session, string userName, DateTimeOffset now) => session.ExecuteAsync(
        "UPDATE refresh_tokens SET revoked_at = @now WHERE user_name = @userName AND revoked_at IS NULL", new { now = now.UtcDateTime, userName });

    private static RpcException Unauthenticated(string message) => new(new Status(StatusCode.Unauthenticated, message));

    private sealed class RefreshRow
    {
        public string FamilyId { get; set; } = "";
        public string UserName { get; set; } = "";
        public DateTime ExpiresAt { get; set; }
        public DateTime? UsedAt { get; set; }
        public DateTime? RevokedAt { get; set; }

        public const string Columns = "family_id AS FamilyId, user_name AS UserName, expires_at AS ExpiresAt, used_at AS UsedAt, revoked_at AS RevokedAt";
    }
}
