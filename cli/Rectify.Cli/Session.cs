using System.Text.Json;
using Grpc.Net.Client;
using Rectify.Identity.V1;

namespace Rectify.Cli;

/// <summary>
/// The signed-in session the CLI keeps between commands: the access token and, for a person, the refresh token that
/// renews it. Kept in the user's own config folder, readable by the user only.
/// </summary>
public sealed record Session(string Server, string AccessToken, DateTimeOffset ExpiresAt, string? RefreshToken)
{
    private static string FilePath => Path.Combine(
        Environment.GetEnvironmentVariable("RECTIFY_CONFIG_DIR") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData), "rectify"),
        "session.json");

    public static Session? Load() => File.Exists(FilePath) ? JsonSerializer.Deserialize<Session>(File.ReadAllText(FilePath)) : null;

    public void Save()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        File.Delete(FilePath);
        using var file = new FileStream(FilePath, FileMode.CreateNew, FileAccess.Write);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(file.SafeFileHandle, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        JsonSerializer.Serialize(file, this);
    }

    public static void Forget() => File.Delete(FilePath);

    public static Session From(string server, TokenResponse response) =>
        new(server, response.AccessToken, response.AccessTokenExpiresAt.ToDateTimeOffset(), response.RefreshToken);

    /// <summary>The access token, renewed first with the refresh token when it is about to expire.</summary>
    public async Task<string> CurrentTokenAsync(GrpcChannel channel)
    {
        if (DateTimeOffset.UtcNow < ExpiresAt.AddSeconds(-30)) return AccessToken;
        if (RefreshToken is null)
            throw new CliException($"the signed-in session expired at {ExpiresAt.ToLocalTime():yyyy-MM-dd HH:mm}: a machine client signs in again with `rectify-cli login --client-id …`");
        return (await RenewAsync(channel)).AccessToken;
    }

    /// <summary>A new access token for the refresh token; the server refusing it means the session is over.</summary>
    public async Task<Session> RenewAsync(GrpcChannel channel)
    {
        if (RefreshToken is null) throw new CliException("this session has no refresh token (a machine client's): sign in again with `rectify-cli login --client-id …`");
        TokenResponse renewed;
        try
        {
            renewed = await new IdentityService.IdentityServiceClient(channel).RefreshAsync(new RefreshRequest { RefreshToken = RefreshToken });
        }
        catch (Grpc.Core.RpcException e) when (e.StatusCode is Grpc.Core.StatusCode.Unauthenticated or Grpc.Core.StatusCode.InvalidArgument or Grpc.Core.StatusCode.PermissionDenied)
        {
            throw new CliException($"the signed-in session has expired ({e.Status.Detail}): sign in again with `rectify-cli login USER`", Cli.ExitRpc);
        }
        var session = From(Server, renewed);
        session.Save();
        return session;
    }
}
