using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Rectify.Common.V1;
using Rectify.Organizations.Units;
using Rectify.Organizations.V1;
using Rectify.Platform;
using Rectify.Platform.Identity;

// rectify-cli COMMAND [ARGS] [--server URL] [--token TOKEN]
// The server defaults to the standalone host (http://localhost:5400) and the
// token to $RECTIFY_TOKEN; `token` mints one with $RECTIFY_SIGNING_KEY or, in
// standalone mode, the development key.
var (positional, options) = Args.Parse(args);
if (positional.Count == 0 || positional[0] is "help" or "--help" or "-h")
{
    Console.WriteLine("""
        rectify-cli token --org CODE [--role officer|viewer|service] [--subject NAME] [--hours 8]
        rectify-cli import FILE.csv                 import units (code,name,parent_code); bad rows are listed
        rectify-cli unit CODE | children CODE | history CODE
        rectify-cli subtree CODE [--level village] [--page-size 100]
        rectify-cli search TEXT [--within CODE]
        rectify-cli profile VILLAGE_CODE YEAR
        rectify-cli assignments VILLAGE_CODE YEAR
        Options: --server http://localhost:5400   --token JWT (default $RECTIFY_TOKEN)
        """);
    return 0;
}

try
{
    if (positional[0] == "token")
    {
        var auth = new AuthOptions { SigningKey = Environment.GetEnvironmentVariable("RECTIFY_SIGNING_KEY") };
        var role = Enum.Parse<Role>(options.GetValueOrDefault("role", "officer"), ignoreCase: true);
        var org = OrgCode.Parse(options.GetValueOrDefault("org") ?? throw new ArgumentException("--org is required"));
        var hours = double.Parse(options.GetValueOrDefault("hours", "8"));
        Console.WriteLine(TokenIssuer.Mint(auth, options.GetValueOrDefault("subject", Environment.UserName), org, role, TimeProvider.System.GetUtcNow(), TimeSpan.FromHours(hours)));
        return 0;
    }

    using var channel = GrpcChannel.ForAddress(options.GetValueOrDefault("server", "http://localhost:5400"));
    var token = options.GetValueOrDefault("token") ?? Environment.GetEnvironmentVariable("RECTIFY_TOKEN")
        ?? throw new ArgumentException("no token: pass --token or set RECTIFY_TOKEN (see `rectify-cli token`)");
    var client = new OrganizationService.OrganizationServiceClient(channel);
    var headers = new Metadata { { "Authorization", "Bearer " + token } };
    string Arg(int i) => positional.Count > i ? positional[i] : throw new ArgumentException($"{positional[0]} needs {i} argument(s)");
    var level = Enum.Parse<OrgLevel>(options.GetValueOrDefault("level", "unspecified"), ignoreCase: true);

    IMessage result = positional[0] switch
    {
        "import" => await Import(client, headers, Arg(1)),
        "unit" => await client.GetUnitAsync(new GetUnitRequest { Code = Arg(1) }, headers),
        "children" => await client.ListChildrenAsync(new ListChildrenRequest { Code = Arg(1) }, headers),
        "history" => await client.GetUnitHistoryAsync(new GetUnitHistoryRequest { Code = Arg(1) }, headers),
        "subtree" => await client.ListSubtreeAsync(new ListSubtreeRequest
        {
            Code = Arg(1), Level = level, Page = new PageRequest { PageSize = int.Parse(options.GetValueOrDefault("page-size", "100")), PageToken = options.GetValueOrDefault("page-token", "") },
        }, headers),
        "search" => await client.SearchUnitsAsync(new SearchUnitsRequest { Query = Arg(1), WithinCode = options.GetValueOrDefault("within", ""), Level = level }, headers),
        "profile" => await client.GetProfileAsync(new GetProfileRequest { VillageCode = Arg(1), Year = int.Parse(Arg(2)) }, headers),
        "assignments" => await client.ListAssignmentsAsync(new ListAssignmentsRequest { VillageCode = Arg(1), Year = int.Parse(Arg(2)) }, headers),
        _ => throw new ArgumentException($"unknown command {positional[0]}; try `rectify-cli help`"),
    };
    Console.WriteLine(new JsonFormatter(JsonFormatter.Settings.Default.WithIndentation()).Format(result));
    return result is ImportUnitsResult { Errors.Count: > 0 } ? 1 : 0;
}
catch (RpcException e)
{
    Console.Error.WriteLine($"{e.StatusCode}: {e.Status.Detail}");
    foreach (var violation in e.GetRpcStatus()?.GetDetail<Google.Rpc.BadRequest>()?.FieldViolations ?? [])
        Console.Error.WriteLine($"  {violation.Field}: {violation.Description}");
    return 2;
}
catch (Exception e) when (e is ArgumentException or FormatException or FileNotFoundException)
{
    Console.Error.WriteLine(e.Message);
    return 64;
}

static async Task<ImportUnitsResult> Import(OrganizationService.OrganizationServiceClient client, Metadata headers, string file)
{
    using var reader = new StreamReader(file);
    using var call = client.ImportUnits(headers);
    await foreach (var row in UnitCsv.ReadAsync(reader)) await call.RequestStream.WriteAsync(row);
    await call.RequestStream.CompleteAsync();
    return await call;
}

static class Args
{
    /// <summary>Splits `cmd a b --key value --flag` into positional arguments and options.</summary>
    public static (List<string> Positional, Dictionary<string, string> Options) Parse(string[] args)
    {
        var positional = new List<string>();
        var options = new Dictionary<string, string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i].StartsWith("--") && args[i].Length > 2)
                options[args[i][2..]] = i + 1 < args.Length && !args[i + 1].StartsWith("--") ? args[++i] : "true";
            else positional.Add(args[i]);
        }
        return (positional, options);
    }
}
