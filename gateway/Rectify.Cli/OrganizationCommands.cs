using Google.Protobuf;
using Rectify.Common.V1;
using Rectify.Organizations.Units;
using Rectify.Organizations.V1;

namespace Rectify.Cli;

public static class OrganizationCommands
{
    public const string Usage = """
        rectify-cli import FILE.csv                 import units (code,name,parent_code); bad rows are listed
        rectify-cli unit CODE | children CODE | history CODE
        rectify-cli subtree CODE [--level village] [--page-size 100]
        rectify-cli search TEXT [--within CODE]
        rectify-cli profile VILLAGE_CODE YEAR
        rectify-cli assignments VILLAGE_CODE YEAR
        """;

    public static async Task<IMessage?> RunAsync(Call call)
    {
        var client = new OrganizationService.OrganizationServiceClient(call.Channel);
        var headers = call.Headers;
        var level = Enum.Parse<OrgLevel>(call.Option("level", "unspecified"), ignoreCase: true);
        return call.Command switch
        {
            "import" => await Import(client, call),
            "unit" => await client.GetUnitAsync(new GetUnitRequest { Code = call.Arg(1) }, headers),
            "children" => await client.ListChildrenAsync(new ListChildrenRequest { Code = call.Arg(1) }, headers),
            "history" => await client.GetUnitHistoryAsync(new GetUnitHistoryRequest { Code = call.Arg(1) }, headers),
            "subtree" => await client.ListSubtreeAsync(new ListSubtreeRequest
            {
                Code = call.Arg(1), Level = level,
                Page = new PageRequest { PageSize = int.Parse(call.Option("page-size", "100")), PageToken = call.Option("page-token") },
            }, headers),
            "search" => await client.SearchUnitsAsync(new SearchUnitsRequest { Query = call.Arg(1), WithinCode = call.Option("within"), Level = level }, headers),
            "profile" => await client.GetProfileAsync(new GetProfileRequest { VillageCode = call.Arg(1), Year = int.Parse(call.Arg(2)) }, headers),
            "assignments" => await client.ListAssignmentsAsync(new ListAssignmentsRequest { VillageCode = call.Arg(1), Year = int.Parse(call.Arg(2)) }, headers),
            _ => null,
        };
    }

    private static async Task<ImportUnitsResult> Import(OrganizationService.OrganizationServiceClient client, Call call)
    {
        using var reader = new StreamReader(call.Arg(1));
        using var stream = client.ImportUnits(call.Headers);
        await foreach (var row in UnitCsv.ReadAsync(reader)) await stream.RequestStream.WriteAsync(row);
        await stream.RequestStream.CompleteAsync();
        return await stream;
    }
}
