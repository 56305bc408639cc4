using Google.Protobuf;
using Rectify.Assessment.V1;

namespace Rectify.Cli;

public static class AssessmentCommands
{
    public const string Usage = """
        rectify-cli campaigns COUNTY_CODE             a county's campaigns and their ids
        rectify-cli ranking CAMPAIGN_ID [--township CODE]   the ranking (排序), each score explained
        rectify-cli proposals CAMPAIGN_ID             the townships' proposals and the county's decisions
        rectify-cli targets CAMPAIGN_ID               confirmed targets, their acceptances and look-backs
        rectify-cli accept CAMPAIGN_ID VILLAGE_CODE --score N --satisfied N --basically N --dissatisfied N --deadline YYYY-MM-DD
        """;

    public static async Task<IMessage?> RunAsync(Call call)
    {
        var client = new AssessmentService.AssessmentServiceClient(call.Channel);
        var headers = call.Headers;
        return call.Command switch
        {
            "campaigns" => await client.ListCampaignsAsync(new ListCampaignsRequest { CountyCode = call.Arg(1) }, headers),
            "ranking" => await client.GetRankingAsync(new GetRankingRequest { CampaignId = call.Arg(1), TownshipCode = call.Option("township") }, headers),
            "proposals" => await client.ListProposalsAsync(new ListProposalsRequest { CampaignId = call.Arg(1) }, headers),
            "targets" => await client.ListTargetsAsync(new ListTargetsRequest { CampaignId = call.Arg(1) }, headers),
            "accept" => await client.RecordAcceptanceAsync(Acceptance(call), headers),
            _ => null,
        };
    }

    private static RecordAcceptanceRequest Acceptance(Call call)
    {
        int Count(string name) => int.Parse(call.Option(name, "0"));
        var votes = new Votes { Satisfied = Count("satisfied"), BasicallySatisfied = Count("basically"), Dissatisfied = Count("dissatisfied") };
        votes.Ballots = votes.Satisfied + votes.BasicallySatisfied + votes.Dissatisfied;
        return new RecordAcceptanceRequest
        {
            CampaignId = call.Arg(1), VillageCode = call.Arg(2), Votes = votes, NewDeadline = call.DateOption("deadline"),
            Aspects = { new AspectScore { Aspect = "综合测评", Score = double.Parse(call.Option("score", "0")) } },
        };
    }
}
