using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Rectify.Cli;
using Rectify.Platform;
using Rectify.Platform.Identity;

// rectify-cli COMMAND [ARGS] [--server URL] [--token TOKEN]
// The server defaults to the standalone host (http://localhost:5400); the token is --token, $RECTIFY_TOKEN or the
// session `login` keeps. `token` mints one with the published development key, which only a standalone trial on
// SQLite accepts.
var (positional, options) = Args.Parse(args);
if (positional.Count == 0 || positional[0] is "help" or "--help" or "-h")
{
    Console.WriteLine($"""
        rectify-cli token --org CODE [--role viewer|officer|reviewer|admin] [--subject NAME] [--hours 8]   (standalone trial only)
        {IdentityCommands.Usage}
        {OrganizationCommands.Usage}
        {MeasureCommands.Usage}
        {AssessmentCommands.Usage}
        {ReportingCommands.Usage}
        {NotificationCommands.Usage}
        Options: --server http://localhost:5400   --token JWT (default $RECTIFY_TOKEN)
        """);
    return 0;
}

try
{
    if (positional[0] == "token")
    {
        var role = Enum.Parse<Role>(options.GetValueOrDefault("role", "officer"), ignoreCase: true);
        var org = OrgCode.Parse(options.GetValueOrDefault("org") ?? throw new ArgumentException("--org is required"));
        var hours = double.Parse(options.GetValueOrDefault("hours", "8"));
        Console.WriteLine(TokenIssuer.MintDevelopment(options.GetValueOrDefault("subject", Environment.UserName), org, role, TimeProvider.System.GetUtcNow(), TimeSpan.FromHours(hours)));
        return 0;
    }

    var server = options.GetValueOrDefault("server", "http://localhost:5400");
    using var channel = GrpcChannel.ForAddress(server);
    if (await IdentityCommands.RunAnonymousAsync(positional, options, channel, server) is { } signedIn)
    {
        Console.WriteLine(new JsonFormatter(JsonFormatter.Settings.Default.WithIndentation()).Format(signedIn));
        return 0;
    }
    var token = options.GetValueOrDefault("token") ?? Environment.GetEnvironmentVariable("RECTIFY_TOKEN")
        ?? (Session.Load() is { } session ? await session.CurrentTokenAsync(channel) : null)
        ?? throw new ArgumentException("not signed in: run `rectify-cli login USER`, or pass --token / set RECTIFY_TOKEN");
    var call = new Call(positional, options, channel, new Metadata { { "Authorization", "Bearer " + token } });
    var result = await IdentityCommands.RunAsync(call) ?? await OrganizationCommands.RunAsync(call) ?? await MeasureCommands.RunAsync(call) ?? await AssessmentCommands.RunAsync(call) ?? await ReportingCommands.RunAsync(call) ?? await NotificationCommands.RunAsync(call)
        ?? throw new ArgumentException($"unknown command {positional[0]}; try `rectify-cli help`");
    Console.WriteLine(new JsonFormatter(JsonFormatter.Settings.Default.WithIndentation()).Format(result));
    return result is Rectify.Organizations.V1.ImportUnitsResult { Errors.Count: > 0 } ? 1 : 0;
}
catch (RpcException e)
{
    Console.Error.WriteLine($"{e.StatusCode}: {e.Status.Detail}");
    foreach (var violation in e.GetRpcStatus()?.GetDetail<Google.Rpc.BadRequest>()?.FieldViolations ?? [])
        Console.Error.WriteLine($"  {violation.Field}: {violation.Description}");
    return 2;
}
catch (Exception e) when (e is ArgumentException or FormatException or FileNotFoundException or InvalidProtocolBufferException)
{
    Console.Error.WriteLine(e.Message);
    return 64;
}
