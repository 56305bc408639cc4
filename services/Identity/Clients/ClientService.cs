using System.Security.Claims;
using Dapper;
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

namespace Rectify.Identity.Clients;

/// <summary>
/// Machine clients: a township's own system pushes its reports with OAuth2 client credentials scoped to its unit,
/// created and revoked by an admin above or at that unit. The secret is shown once; only its hash is kept. The other
/// Rectify services are clients too, configured by the operator (Rectify:Identity:ServiceClients), acting as the system.
/// </summary>
public sealed class ClientService(Database<IdentityModule> database, IssuerKey key, RectifyOptions options, IdentityOptions identity,
    SecurityEvents security, TimeProvider clock)
{
    private sealed class ClientRow
    {
        public string ClientId { get; set; } = "";
        public string Name { get; set; } = "";
        public string OrgCode { get; set; } = "";
        public int Role { get; set; }
        public string SecretHash { get; set; } = "";
        public bool Revoked { get; set; }
        public DateTime CreatedAt { get; set; }
        public string CreatedBy { get; set; } = "";

        public const string Columns = """
            client_id AS ClientId, name AS Name, org_code AS OrgCode, role AS Role, secret_hash AS SecretHash, revoked AS Revoked,
            created_at AS CreatedAt, created_by AS CreatedBy
            """;

        public Client ToProto() => new()
        {
            ClientId = ClientId, Name = Name, OrgCode = OrgCode, Role = Roles.ToProto((Role)Role), Revoked = Revoked,
            CreatedAt = new DateTimeOffset(CreatedAt.AsUtc()).ToProto(), CreatedBy = CreatedBy,
        };
    }

    public async Task<CreatedClient> CreateAsync(Caller caller, CreateClientRequest request, string? remote, CancellationToken ct)
    {
        var (name, org, role) = CreateClientInput.Parse(request);
        caller.EnsureAdmin(org, "Creating machine clients");
        var secret = Passwords.NewSecret();
        var row = new ClientRow
        {
            ClientId = $"{org.Value}-{Passwords.NewSecret()[..8].ToLowerInvariant()}", Name = name, OrgCode = org.Value, Role = (int)role,
            SecretHash = Passwords.HashSecret(secret), CreatedAt = clock.GetUtcNow().UtcDateTime, CreatedBy = caller.Subject,
        };
        await database.WriteAsync(session => session.ExecuteAsync("""
            INSERT INTO clients (client_id, name, org_code, role, secret_hash, revoked, created_at, created_by)
            VALUES (@ClientId, @Name, @OrgCode, @Role, @SecretHash, @Revoked, @CreatedAt, @CreatedBy)
            """, row), ct);
        security.Record(new SecurityEvent(SecurityEvent.ClientCreated, caller.Subject, row.OrgCode, $"created client {row.ClientId} ({row.Name})", remote));
        return new CreatedClient { Client = row.ToProto(), ClientSecret = secret };
    }

    public async Task<ListClientsResponse> ListAsync(Caller caller, ListClientsRequest request, CancellationToken ct)
    {
        var org = ListClientsInput.Parse(request, caller.Org).Org;
        caller.EnsureAdmin(org, "Listing machine clients");
        var (low, high) = org.SubtreeRange;
        var rows = await database.ReadAsync(c => c.QueryAsync<ClientRow>(
            $"SELECT {ClientRow.Columns} FROM clients WHERE org_code BETWEEN @low AND @high ORDER BY org_code, client_id", new { low, high }), ct);
        var response = new ListClientsResponse();
        response.Clients.AddRange(rows.Select(r => r.ToProto()));
        return response;
    }

    public async Task<Client> RevokeAsync(Caller caller, ClientRequest request, string? remote, CancellationToken ct)
    {
        var row = await database.WriteAsync(async session =>
        {
            var row = await session.QuerySingleOrDefaultAsync<ClientRow>($"SELECT {ClientRow.Columns} FROM clients WHERE client_id = @ClientId", new { request.ClientId });
            if (row is null || !caller.CanSee(OrgCode.Parse(row.OrgCode))) throw new NotFoundException("client", request.ClientId);
            caller.EnsureAdmin(OrgCode.Parse(row.OrgCode), "Revoking machine clients");
            await session.ExecuteAsync("UPDATE clients SET revoked = @yes WHERE client_id = @ClientId", new { yes = true, row.ClientId });
            row.Revoked = true;
            return row;
        }, ct);
        security.Record(new SecurityEvent(SecurityEvent.ClientRevoked, caller.Subject, row.OrgCode, $"revoked client {row.ClientId} ({row.Name})", remote));
        return row.ToProto();
    }

    public async Task<Client?> FindAsync(string clientId, CancellationToken ct) =>
        (await database.ReadAsync(c => c.QuerySingleOrDefaultAsync<ClientRow>($"SELECT {ClientRow.Columns} FROM clients WHERE client_id = @clientId", new { clientId }), ct))?.ToProto();

    /// <summary>OAuth2 client_credentials: an access token for a valid, unrevoked client; null otherwise (the caller answers invalid_client).</summary>
    public async Task<(string Token, TimeSpan Lifetime)?> IssueAsync(string clientId, string secret, string? remote, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var lifetime = options.Auth.AccessTokenLifetime;
        if (identity.ServiceClients.TryGetValue(clientId, out var serviceSecret))
        {
            if (System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(serviceSecret), System.Text.Encoding.UTF8.GetBytes(secret)))
                return (TokenIssuer.Mint(key.Credentials, options.Auth.Issuer, options.Auth.Audience, ServiceTokens.ServiceSubject, OrgCode.Nation, Role.Service, now, lifetime,
                    [new Claim(TokenIssuer.ClientClaim, clientId)]), lifetime);
            security.Record(new SecurityEvent(SecurityEvent.ClientTokenRefused, clientId, null, "wrong secret for a service client", remote));
            return null;
        }
        var row = await database.ReadAsync(c => c.QuerySingleOrDefaultAsync<ClientRow>($"SELECT {ClientRow.Columns} FROM clients WHERE client_id = @clientId", new { clientId }), ct);
        if (row is null || row.Revoked || !Passwords.SecretMatches(secret, row.SecretHash))
        {
            security.Record(new SecurityEvent(SecurityEvent.ClientTokenRefused, clientId, row?.OrgCode, row is null ? "unknown client" : row.Revoked ? "client revoked" : "wrong secret", remote));
            return null;
        }
        return (TokenIssuer.Mint(key.Credentials, options.Auth.Issuer, options.Auth.Audience, row.ClientId, OrgCode.Parse(row.OrgCode), (Role)row.Role, now, lifetime,
            [new Claim(TokenIssuer.NameClaim, row.Name), new Claim(TokenIssuer.ClientClaim, row.ClientId)]), lifetime);
    }
}
