using Grpc.Core;
using Rectify.Assessment.Identification;
using Rectify.Assessment.V1;
using Rectify.Kernel;
using Rectify.Organizations.V1;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;
using Rectify.Tests.Support;
using static Rectify.Tests.Assessment.AssessmentFixture;

namespace Rectify.Tests.Assessment;

/// <summary>
/// StreamRanking (issue 15) on SQLite and PostgreSQL: a county of 1,150 villages in two townships (600 and 550), 1,140 assessed with
/// varied scores, ties and findings, so the ranking needs three pages (100, then 1,000, then the rest with the
/// unassessed). The streamed pages put together are GetRanking's answer, branch for branch and explanation for explanation.
/// </summary>
public abstract class StreamRankingSpec(DbProvider provider) : IAsyncLifetime
{
    private const string Big = "360731104000", Small = "360731105000";
    private const int BigVillages = 600, SmallVillages = 550, Unassessed = 10;

    private TestHost _host = null!;
    private string _campaign = "";

    private static string VillageOf(string township, int n) => township[..9] + n.ToString("D3");

    public async ValueTask InitializeAsync()
    {
        _host = await StartAsync(provider);
        using (var call = _host.Organizations("000000000000", Role.Service).ImportUnits())
        {
            var rows = new List<(string, string, string)> { ("360000000000", "江西省", ""), ("360700000000", "赣州市", "360000000000"), (County, "于都县", "360700000000") };
            foreach (var (township, count) in new[] { (Big, BigVillages), (Small, SmallVillages) })
            {
                rows.Add((township, $"第{township[6..9]}镇", County));
                for (var n = 1; n <= count; n++) rows.Add((VillageOf(township, n), $"{township[8]}镇{n}村", township));
            }
            foreach (var (code, name, parent) in rows) await call.RequestStream.WriteAsync(new ImportUnitRow { Code = code, Name = name, ParentCode = parent });
            await call.RequestStream.CompleteAsync();
            Assert.Empty((await call).Errors);
        }
        var county = _host.Assessment(County);
        _campaign = (await county.CreateCampaignAsync(new CreateCampaignRequest { CountyCode = County, Year = 2027 })).Id;

        // Scores drawn from a fixed seed: few distinct values, so composites tie and the tie-breaks are exercised.
        var random = new Random(15);
        var villages = Enumerable.Range(1, BigVillages).Select(n => VillageOf(Big, n)).Concat(Enumerable.Range(1, SmallVillages).Select(n => VillageOf(Small, n)))
            .OrderBy(_ => random.Next()).Skip(Unassessed).ToList();
        var requests = villages.Select(village =>
        {
            var ballots = 20;
            var satisfied = random.Next(4, 17);
            var basically = random.Next(0, ballots - satisfied + 1);
            var request = new RecordAssessmentRequest
            {
                CampaignId = _campaign, VillageCode = village, Votes = Votes(satisfied, basically, ballots - satisfied - basically),
                Committee = Committee(60 + random.Next(0, 8) * 2.5),
            };
            if (random.Next(5) == 0) request.Findings.Add(new Finding { Code = random.Next(2) == 0 ? "WEAK_TEAM" : "SECRETARY_VACANT", Note = "调研" });
            return request;
        }).ToList();
        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = TestContext.Current.CancellationToken },
            async (request, ct) => await county.RecordAssessmentAsync(request, cancellationToken: ct));
    }

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    private static async Task<List<RankingPage>> PagesAsync(AssessmentService.AssessmentServiceClient client, GetRankingRequest request)
    {
        using var call = client.StreamRanking(request, cancellationToken: TestContext.Current.CancellationToken);
        var pages = new List<RankingPage>();
        await foreach (var page in call.ResponseStream.ReadAllAsync(TestContext.Current.CancellationToken)) pages.Add(page);
        return pages;
    }

    [Fact]
    public async Task The_streamed_pages_put_together_are_GetRankings_answer_branch_for_branch_with_the_same_explanations()
    {
        var viewer = _host.Assessment(County, Role.Viewer);
        var request = new GetRankingRequest { CampaignId = _campaign };
        var whole = await viewer.GetRankingAsync(request);
        var pages = await PagesAsync(viewer, request);

        Assert.Equal(BigVillages + SmallVillages - Unassessed, whole.Branches.Count);
        Assert.Equal([IdentificationService.FirstPageSize, IdentificationService.PageSize, whole.Branches.Count - IdentificationService.FirstPageSize - IdentificationService.PageSize],
            pages.Select(p => p.Branches.Count));
        Assert.All(pages, p => Assert.Equal((_campaign, whole.Branches.Count), (p.CampaignId, p.Total)));
        Assert.Equal([false, false, true], pages.Select(p => p.Last));
        Assert.Equal(whole.Branches, pages.SelectMany(p => p.Branches)); // protobuf equality: rank, township rank, branch and every term of the explanation
        Assert.Equal(whole.Unassessed, pages[^1].Unassessed);
        Assert.Equal(Unassessed, whole.Unassessed.Count);
        Assert.All(pages.SkipLast(1), p => Assert.Empty(p.Unassessed));
        // The order is the ranking rule's: composite ascending, ties by satisfaction, committee, then code.
        Assert.Equal(Enumerable.Range(1, whole.Branches.Count), pages.SelectMany(p => p.Branches).Select(b => b.Rank));
        Assert.Contains(whole.Branches, b => b.Explanation.Deductions.Count > 0);
        Assert.Contains(whole.Branches, b => b.Explanation.AutoDesignationReasons.Contains("SECRETARY_VACANT"));
        var ordered = whole.Branches.OrderBy(b => Math.Round(b.Explanation.Composite, 6)).ThenBy(b => Math.Round(b.Explanation.SatisfactionRate, 9))
            .ThenBy(b => Math.Round(b.Explanation.CommitteeScore, 6)).ThenBy(b => b.Branch.VillageCode, StringComparer.Ordinal).Select(b => b.Branch.VillageCode);
        Assert.Equal(ordered, whole.Branches.Select(b => b.Branch.VillageCode));
        Assert.True(whole.Branches.GroupBy(b => Math.Round(b.Explanation.Composite, 6)).Any(g => g.Count() > 1), "the data have tied composites");
    }

    [Fact]
    public async Task The_first_page_is_a_message_of_its_own_read_before_the_rest_and_a_township_streams_its_own_ranking()
    {
        var township = _host.Assessment(Small, Role.Viewer, "第105镇党委");
        using (var call = _host.Assessment(County, Role.Viewer).StreamRanking(new GetRankingRequest { CampaignId = _campaign }, cancellationToken: TestContext.Current.CancellationToken))
        {
            Assert.True(await call.ResponseStream.MoveNext(TestContext.Current.CancellationToken));
            var first = call.ResponseStream.Current;
            Assert.Equal((IdentificationService.FirstPageSize, false), (first.Branches.Count, first.Last));
            Assert.Equal(1, first.Branches[0].Rank);
        }

        var request = new GetRankingRequest { CampaignId = _campaign, TownshipCode = Small };
        var whole = await township.GetRankingAsync(request);
        var pages = await PagesAsync(township, request);
        Assert.Equal(whole.Branches, pages.SelectMany(p => p.Branches));
        Assert.Equal(whole.Unassessed, pages[^1].Unassessed);
        Assert.All(pages.SelectMany(p => p.Branches), b => Assert.Equal(Small, b.Branch.TownshipCode));
        Assert.Equal(whole.Branches.Count, pages[0].Total);

        // As GetRanking: a township does not read the county's ranking, a village none, and a bad township code is InvalidArgument.
        await Rpc.Refused(StatusCode.PermissionDenied, () => PagesAsync(township, new GetRankingRequest { CampaignId = _campaign }));
        await Rpc.Refused(StatusCode.PermissionDenied, () => PagesAsync(_host.Assessment(VillageOf(Small, 1), Role.Viewer), request));
        await Rpc.Refused(StatusCode.InvalidArgument, () => PagesAsync(_host.Assessment(County, Role.Viewer), new GetRankingRequest { CampaignId = _campaign, TownshipCode = "36073110" }));
    }
}

public sealed class StreamRankingOnSqlite() : StreamRankingSpec(DbProvider.Sqlite);

public sealed class StreamRankingOnPostgres() : StreamRankingSpec(DbProvider.Postgres);
