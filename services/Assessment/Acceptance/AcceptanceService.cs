using System.Text.Json;
using Dapper;
using Rectify.Assessment.Campaigns;
using Rectify.Assessment.Identification;
using Rectify.Assessment.V1;
using Rectify.Common.V1;
using Rectify.Events.Assessment;
using Rectify.Kernel;
using Rectify.Measures.V1;
using Rectify.Platform;
using Rectify.Platform.Errors;
using Rectify.Platform.Hosting;
using Rectify.Platform.Identity;
using Rectify.Platform.Outbox;
using Rectify.Platform.Storage;

namespace Rectify.Assessment.Acceptance;

/// <summary>
/// 验收 and 回头看. A target passes when its democratic evaluation scores at
/// least the pass mark and no more than the outright-fail share of the votes is
/// dissatisfied; it is accepted only once every measure is closed (asked of the
/// measures service). A failure sends it back (回炉): AcceptanceFailed is
/// published, and its measures are reopened from that event.
/// </summary>
public sealed class AcceptanceService(Database<AssessmentModule> database, MeasureService.MeasureServiceClient measures, TimeProvider clock)
{
    public const string AcceptanceStage = "acceptance";
    public const string LookBackStage = "look-back";

    /// <summary>
    /// The rule itself, apart from storage: what the aspects' scores (in hundredths) and the votes mean under the settings.
    /// The score is their mean in whole hundredths, rounded down: the pass mark has at most two places, so the rounded
    /// mean reaches it exactly when the true mean does, and a failed score never reads as the pass mark.
    /// </summary>
    public static (bool Passed, double Score, double DissatisfiedShare, List<string> Reasons) Judge(IReadOnlyList<int> aspects, Votes votes, Settings settings)
    {
        var score = Hundredths.ToPoints(aspects.Sum(a => (long)a) / aspects.Count);
        var share = (double)votes.Dissatisfied / votes.Ballots;
        var reasons = new List<string>();
        if (score < settings.PassScore) reasons.Add($"测评得分 {score:0.##} 低于合格线 {settings.PassScore:0.##}");
        if (share > settings.OutrightFailDissatisfiedShare) reasons.Add($"不满意票占 {share:P1}，超过 {settings.OutrightFailDissatisfiedShare:P0}，直接判定不合格");
        return (reasons.Count == 0, score, share, reasons);
    }

    public Task<AcceptanceResult> AcceptAsync(Caller caller, RecordAcceptanceRequest request, CancellationToken ct) =>
        ReviewAsync(caller, request, ReviewKind.Acceptance, ct);

    public Task<AcceptanceResult> LookBackAsync(Caller caller, RecordAcceptanceRequest request, CancellationToken ct) =>
        ReviewAsync(caller, request, ReviewKind.LookBack, ct);

    private sealed class TargetRow
    {
        public string VillageCode { get; set; } = "";
        public int Status { get; set; }
        public DateOnly? AcceptedOn { get; set; }
        public DateOnly? DecidedOn { get; set; }
        public string? Basis { get; set; }
        public string? RecordedBy { get; set; }
        public DateTime? RecordedAt { get; set; }
    }

    private const string TargetColumns = """
        village_code AS VillageCode, status AS Status, accepted_on AS AcceptedOn, decided_on AS DecidedOn, basis AS Basis,
        recorded_by AS RecordedBy, recorded_at AS RecordedAt
        """;

    private async Task<AcceptanceResult> ReviewAsync(Caller caller, RecordAcceptanceRequest request, ReviewKind kind, CancellationToken ct)
    {
        var today = clock.Today();
        var (campaignId, village, heldOn, heldOnGiven, aspects, votes, newDeadline) = RecordAcceptanceInput.Parse(request, today);
        // Another county's campaign id is NotFound before anything is said about the village.
        var history = (await database.ReadAsync(c => CampaignStore.LoadAsync(c, campaignId), ct));
        caller.EnsureInLine(history.Owned);
        caller.EnsureCanDecide(village, "record its acceptance (验收) or look-back (回头看)");
        // Today's review reopens from today; one entered as history happened on its own date and reopened from then.
        if (history.EnteredAsHistory)
        {
            var past = new Violations();
            if (past.Check(heldOnGiven, "held_on", "is required for a campaign entered as history: the date the review was held"))
            {
                past.Check(newDeadline > heldOn, "new_deadline", "must be after held_on");
                past.Check(newDeadline <= new DateOnly(history.Year + 1, 12, 31), "new_deadline", $"must be at the latest {history.Year + 1}-12-31, the end of the campaign's look-back year");
            }
            past.ThrowIfAny();
        }
        else if (newDeadline <= today) throw ValidationException.For("new_deadline", "must be after today");

        var (campaign, target, branch) = await database.ReadAsync(async c =>
        {
            var campaign = await CampaignStore.LoadAsync(c, campaignId);
            caller.EnsureInLine(campaign.Owned);
            var target = await c.QuerySingleOrDefaultAsync<TargetRow>(
                $"SELECT {TargetColumns} FROM targets WHERE campaign_id = @Id AND village_code = @code",
                new { campaign.Id, code = village }) ?? throw new NotFoundException("target", $"{village} in campaign {campaign.Id}");
            var branch = (await CampaignStore.BranchesAsync(c, campaign.Id)).Single(b => b.VillageCode == target.VillageCode);
            return (campaign, target, branch);
        }, ct);
        var status = (TargetStatus)target.Status;
        if (kind == ReviewKind.Acceptance && status == TargetStatus.Transformed)
            throw new PreconditionFailedException("ALREADY_TRANSFORMED", target.VillageCode, "The target is already accepted; what follows are look-backs.");
        if (kind == ReviewKind.LookBack && status != TargetStatus.Transformed)
            throw new PreconditionFailedException("NOT_TRANSFORMED", target.VillageCode, "Look-backs (回头看) are for transformed targets.");
        if (kind == ReviewKind.Acceptance) await EnsureMeasuresClosedAsync(target.VillageCode, campaign.Year, ct);

        var rules = campaign.Rules;
        var (passed, score, share, reasons) = Judge(aspects.Select(a => Hundredths.From(a.Score)!.Value).ToList(), votes, rules);
        var after = passed ? TargetStatus.Transformed : TargetStatus.Reopened;
        var now = clock.GetUtcNow();
        await database.WriteAsync(async session =>
        {
            // Conditional on the status read, so two acceptances of one target cannot both apply.
            var updated = await session.ExecuteAsync("""
                UPDATE targets SET status = @after, accepted_on = @acceptedOn WHERE campaign_id = @Id AND village_code = @village AND status = @before
                """, new
            {
                after = (int)after, acceptedOn = kind == ReviewKind.Acceptance && passed ? heldOn : target.AcceptedOn,
                campaign.Id, village = target.VillageCode, before = target.Status,
            });
            if (updated == 0) throw new PreconditionFailedException("CHANGED_CONCURRENTLY", target.VillageCode, "The target changed while this review was recorded; read it again.");
            // Every review moves the target's version; its event carries the version it made.
            await session.ExecuteAsync("UPDATE targets SET version = version + 1 WHERE campaign_id = @Id AND village_code = @village", new { campaign.Id, village = target.VillageCode });
            var version = await session.ExecuteScalarAsync<long>("SELECT version FROM targets WHERE campaign_id = @Id AND village_code = @village", new { campaign.Id, village = target.VillageCode });
            await session.ExecuteAsync("""
                INSERT INTO reviews (campaign_id, village_code, kind, held_on, score_hundredths, dissatisfied, ballots, passed, reasons, status_after, new_deadline, detail, recorded_by, recorded_at)
                VALUES (@Id, @village, @kind, @heldOn, @score, @dissatisfied, @ballots, @passed, @reasons, @after, @newDeadline, @detail, @by, @at)
                """, new
            {
                campaign.Id, village = target.VillageCode, kind = (int)kind, heldOn, score = (int)Math.Round(score * 100), dissatisfied = votes.Dissatisfied, ballots = votes.Ballots, passed,
                reasons = JsonSerializer.Serialize(reasons),
                after = (int)after, newDeadline = passed ? (DateOnly?)null : newDeadline, detail = JsonSerializer.Serialize(new { Aspects = aspects, Votes = votes }),
                by = caller.Subject, at = now.UtcDateTime,
            });
            if (passed && kind == ReviewKind.Acceptance)
                await session.PublishAsync(new TargetTransformed(campaign.Id, campaign.Year, target.VillageCode, branch.VillageName, score, heldOn, now, version));
            if (!passed)
                await session.PublishAsync(new AcceptanceFailed(campaign.Id, campaign.CountyCode, campaign.Year, target.VillageCode, branch.VillageName,
                    kind == ReviewKind.Acceptance ? AcceptanceStage : LookBackStage, score, share, reasons, newDeadline, now, version));
        }, ct);
        var result = new AcceptanceResult
        {
            Kind = kind, VillageCode = target.VillageCode, HeldOn = heldOn.ToProto(), Score = score, DissatisfiedShare = share, Passed = passed,
            StatusAfter = after, NewDeadline = passed ? null : newDeadline.ToProto(), RecordedBy = caller.Subject,
        };
        result.Reasons.AddRange(reasons);
        return result;
    }

    /// <summary>Asks the measures service whether the target's plan exists and every measure in it is closed (销号).</summary>
    private async Task EnsureMeasuresClosedAsync(string village, int year, CancellationToken ct)
    {
        var counts = await measures.GetLedgerCountsAsync(new GetLedgerCountsRequest { ScopeCode = village, CampaignYear = year }, cancellationToken: ct);
        if (counts.Total.Total == 0)
            throw new PreconditionFailedException("NO_PLAN", village, $"{village} has no plan with measures for {year}: there is nothing to accept yet.");
        if (counts.Total.Closed < counts.Total.Total)
            throw new PreconditionFailedException("OPEN_MEASURES", village,
                $"{counts.Total.Total - counts.Total.Closed} of {counts.Total.Total} measures are not closed (销号); a target is accepted only when all are.");
    }

    private sealed class ReviewRow
    {
        public string VillageCode { get; set; } = "";
        public int Kind { get; set; }
        public DateOnly HeldOn { get; set; }
        /// <summary>In hundredths of a point; the share is read as its two counts, so nothing stored is a binary fraction.</summary>
        public int Score { get; set; }
        public int Dissatisfied { get; set; }
        public int Ballots { get; set; }
        public bool Passed { get; set; }
        public string Reasons { get; set; } = "[]";
        public int StatusAfter { get; set; }
        public DateOnly? NewDeadline { get; set; }
        public string RecordedBy { get; set; } = "";
    }

    public async Task<ListTargetsResponse> ListTargetsAsync(Caller caller, ListTargetsRequest request, CancellationToken ct)
    {
        var (campaign, targets, reviews, branches) = await database.ReadAsync(async c =>
        {
            var campaign = await CampaignStore.LoadAsync(c, request.CampaignId);
            caller.EnsureInLine(campaign.Owned);
            var targets = (await c.QueryAsync<TargetRow>($"SELECT {TargetColumns} FROM targets WHERE campaign_id = @Id ORDER BY village_code", new { campaign.Id })).ToList();
            var reviews = (await c.QueryAsync<ReviewRow>("""
                SELECT village_code AS VillageCode, kind AS Kind, held_on AS HeldOn, score_hundredths AS Score, dissatisfied AS Dissatisfied, ballots AS Ballots, passed AS Passed,
                       reasons AS Reasons, status_after AS StatusAfter, new_deadline AS NewDeadline, recorded_by AS RecordedBy
                FROM reviews WHERE campaign_id = @Id ORDER BY id
                """, new { campaign.Id })).ToLookup(r => r.VillageCode);
            return (campaign, targets, reviews, (await CampaignStore.BranchesAsync(c, campaign.Id)).ToDictionary(b => b.VillageCode));
        }, ct);
        var response = new ListTargetsResponse();
        foreach (var target in targets.Where(t => caller.CanSee(OrgCode.Parse(t.VillageCode))))
        {
            var proto = new Target
            {
                Branch = branches[target.VillageCode], Status = (TargetStatus)target.Status, DecidedOn = target.DecidedOn?.ToProto(), Basis = target.Basis ?? "",
                RecordedBy = target.RecordedBy ?? "", RecordedAt = target.RecordedAt is { } at ? new DateTimeOffset(at.AsUtc()).ToProto() : null,
            };
            foreach (var r in reviews[target.VillageCode])
            {
                var result = new AcceptanceResult
                {
                    Kind = (ReviewKind)r.Kind, VillageCode = r.VillageCode, HeldOn = r.HeldOn.ToProto(), Score = Hundredths.ToPoints(r.Score),
                    DissatisfiedShare = r.Ballots == 0 ? 0 : (double)r.Dissatisfied / r.Ballots,
                    Passed = r.Passed, StatusAfter = (TargetStatus)r.StatusAfter, NewDeadline = r.NewDeadline?.ToProto(), RecordedBy = r.RecordedBy,
                };
                result.Reasons.AddRange(JsonSerializer.Deserialize<List<string>>(r.Reasons)!);
                proto.Reviews.Add(result);
            }
            if (target.Status == (int)TargetStatus.Transformed && target.AcceptedOn is { } acceptedOn)
            {
                var held = reviews[target.VillageCode].Count(r => r.Kind == (int)ReviewKind.LookBack && r.HeldOn >= acceptedOn);
                proto.LookBacksDue.AddRange(LookBacks.Due(acceptedOn, campaign.Rules.LookBackMonths, held).Select(d => d.ToProto()));
            }
            response.Targets.Add(proto);
        }
        return response;
    }
}
