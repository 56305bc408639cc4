using System.Text.Json;
using Dapper;
using Rectify.Assessment.Campaigns;
using Rectify.Assessment.V1;
using Rectify.Common.V1;
using Rectify.Events.Assessment;
using Rectify.Kernel;
using Rectify.Platform;
using Rectify.Platform.Errors;
using Rectify.Platform.Identity;
using Rectify.Platform.Outbox;
using Rectify.Platform.Storage;

namespace Rectify.Assessment.Identification;

/// <summary>
/// 两评—调研—排序 and 三级联评: assessments by revision, the ranking with its
/// explanations, the townships' proposals, the county's review and confirmation.
/// </summary>
public sealed class IdentificationService(Database<AssessmentModule> database, TimeProvider clock)
{
    public Task<BranchAssessment> RecordAsync(Caller caller, RecordAssessmentRequest request, CancellationToken ct) =>
        WriteAssessmentAsync(caller, RecordAssessmentInput.Parse(request), correctionReason: null, ct);

    public Task<BranchAssessment> CorrectAsync(Caller caller, CorrectAssessmentRequest request, CancellationToken ct)
    {
        var (assessment, reason) = CorrectAssessmentInput.Parse(request);
        return WriteAssessmentAsync(caller, assessment, reason, ct);
    }

    private async Task<BranchAssessment> WriteAssessmentAsync(Caller caller, RecordAssessmentInput assessment, string? correctionReason, CancellationToken ct)
    {
        var village = assessment.Village;
        // Another county's campaign id is NotFound before anything is said about the village.
        caller.EnsureInLine((await database.ReadAsync(c => CampaignStore.LoadAsync(c, assessment.CampaignId), ct)).Owned);
        if (correctionReason is null) caller.EnsureCanManage(village, "assess it");
        else caller.EnsureCanDecide(village, "correct its confirmed scores");
        var now = clock.GetUtcNow();
        return await database.WriteAsync(async session => ToProto(await WriteAsync(session, caller, assessment, correctionReason, now)), ct);
    }

    /// <summary>RecordAssessment's (or CorrectAssessment's) checks and write inside a session: the workbook import writes a file's rows in one transaction by them.</summary>
    internal static async Task<AssessmentRow> WriteAsync(DbSession session, Caller caller, RecordAssessmentInput assessment, string? correctionReason, DateTimeOffset now)
    {
        var village = assessment.Village;
        var campaign = await CampaignStore.LoadAsync(session, assessment.CampaignId);
        caller.EnsureInLine(campaign.Owned);
        var rules = campaign.Rules;
        var late = new Violations();
        late.Check(OrgCode.Parse(campaign.CountyCode).IsAncestorOrSelfOf(village), "village_code", $"is not in the campaign's county {campaign.CountyCode}");
        for (var i = 0; i < assessment.Findings.Count; i++)
        {
            late.Check(rules.FindRule(assessment.Findings[i].Code) is not null, $"findings[{i}].code", "is not one of the campaign's finding kinds");
            late.Check((assessment.Findings[i].Note?.Length ?? 0) <= 1000, $"findings[{i}].note", "must be at most 1000 characters");
        }
        late.Check(assessment.Findings.Select(f => f.Code).Distinct().Count() == assessment.Findings.Count, "findings", "repeat a finding kind");
        late.ThrowIfAny();
        if (await session.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM campaign_branches WHERE campaign_id = @Id AND village_code = @code",
                new { campaign.Id, code = village }) == 0)
            throw new NotFoundException("branch", $"{village} in campaign {campaign.Id}");
        if (campaign.Confirmed && correctionReason is null)
            throw new PreconditionFailedException("SCORES_FROZEN", campaign.Id, "The targets are confirmed and the scores frozen; a correction needs CorrectAssessment with a reason.");
        if (!campaign.Confirmed && correctionReason is not null)
            throw new PreconditionFailedException("NOT_CONFIRMED", campaign.Id, "Before confirmation assessments are recorded, not corrected.");

        var revision = await session.ExecuteScalarAsync<int>(
            "SELECT COALESCE(MAX(revision), 0) + 1 FROM assessments WHERE campaign_id = @Id AND village_code = @code", new { campaign.Id, code = village });
        var row = new AssessmentRow
        {
            CampaignId = campaign.Id, VillageCode = village.Value, Revision = revision,
            Satisfied = assessment.Votes.Satisfied, BasicallySatisfied = assessment.Votes.BasicallySatisfied, Dissatisfied = assessment.Votes.Dissatisfied, Ballots = assessment.Votes.Ballots,
            TeamOperation = assessment.Committee.TeamOperation, OrganizationalSystems = assessment.Committee.OrganizationalSystems, CadreTeam = assessment.Committee.CadreTeam, VanguardRole = assessment.Committee.VanguardRole,
            Findings = JsonSerializer.Serialize(assessment.Findings.Select(f => new AssessmentRow.FindingRecord(f.Code, f.Note ?? ""))),
            CorrectionReason = correctionReason, RecordedBy = caller.Subject, RecordedAt = now.UtcDateTime,
        };
        await session.ExecuteAsync("""
            INSERT INTO assessments (campaign_id, village_code, revision, satisfied, basically_satisfied, dissatisfied, ballots, team_operation_hundredths,
                organizational_systems_hundredths, cadre_team_hundredths, vanguard_role_hundredths, findings, correction_reason, recorded_by, recorded_at)
            VALUES (@CampaignId, @VillageCode, @Revision, @Satisfied, @BasicallySatisfied, @Dissatisfied, @Ballots, @TeamOperation,
                @OrganizationalSystems, @CadreTeam, @VanguardRole, @Findings, @CorrectionReason, @RecordedBy, @RecordedAt)
            """, row);
        return row;
    }

    /// <summary>Ballots that add up: none negative, at least one cast, the three answers summing to the ballots.</summary>
    internal static void CheckVotes(Violations v, string field, Votes? votes)
    {
        if (!v.Check(votes is not null, field, "is required")) return;
        v.Check(votes!.Satisfied >= 0 && votes.BasicallySatisfied >= 0 && votes.Dissatisfied >= 0 && votes.Ballots >= 0, field, "must not be negative");
        v.Check(votes.Ballots > 0, $"{field}.ballots", "must be at least 1");
        v.Check((long)votes.Satisfied + votes.BasicallySatisfied + votes.Dissatisfied == votes.Ballots, field,
            $"satisfied + basically_satisfied + dissatisfied = {(long)votes.Satisfied + votes.BasicallySatisfied + votes.Dissatisfied}, not the {votes.Ballots} ballots cast");
    }

    public async Task<Ranking> RankingAsync(Caller caller, GetRankingRequest request, CancellationToken ct)
    {
        var (campaign, branches, order) = await OrderAsync(caller, request, ct);
        var ranking = new Ranking { CampaignId = campaign.Id };
        ranking.Branches.AddRange(order.Select(p => Ranker.Explained(p, campaign.Rules)));
        ranking.Unassessed.AddRange(Unassessed(branches, order));
        return ranking;
    }

    /// <summary>The first page of StreamRanking: small, so a reader can show it at once.</summary>
    public const int FirstPageSize = 100;
    /// <summary>Every later page of StreamRanking.</summary>
    public const int PageSize = 1000;

    /// <summary>
    /// GetRanking's answer in pages, each explained as it is sent: the same checks, order and explanations, the unassessed
    /// branches in the last page. The county's whole ranking is one 6 MiB reply otherwise, shown only when all of it is written.
    /// </summary>
    public async Task StreamRankingAsync(Caller caller, GetRankingRequest request, Func<RankingPage, Task> write, CancellationToken ct)
    {
        var (campaign, branches, order) = await OrderAsync(caller, request, ct);
        var page = new RankingPage { CampaignId = campaign.Id, Total = order.Count };
        foreach (var placed in order)
        {
            page.Branches.Add(Ranker.Explained(placed, campaign.Rules));
            if (page.Branches.Count == (placed.Rank <= FirstPageSize ? FirstPageSize : PageSize))
            {
                await write(page);
                page = new RankingPage { CampaignId = campaign.Id, Total = order.Count };
            }
        }
        page.Unassessed.AddRange(Unassessed(branches, order));
        page.Last = true;
        await write(page);
    }

    /// <summary>The ranking's checks and its order (not yet explained): the county's, or the named township's.</summary>
    private async Task<(CampaignRow Campaign, List<Branch> Branches, List<Ranker.Placed> Order)> OrderAsync(Caller caller, GetRankingRequest request, CancellationToken ct)
    {
        var (campaign, branches, assessments) = await LoadForRankingAsync(request.CampaignId, ct);
        caller.EnsureInLine(campaign.Owned);
        // Parsed after the campaign is found in line: another county's campaign id is NotFound whatever the township.
        // A township reads its own villages' ranking, the county all of it; a village reads none of it.
        if (GetRankingInput.Parse(request).Township is { } township)
        {
            caller.EnsureCanRead(township);
            branches = branches.Where(b => b.TownshipCode == township.Value).ToList();
        }
        else caller.EnsureCanRead(OrgCode.Parse(campaign.CountyCode));
        return (campaign, branches, Ranker.Order(branches, assessments, campaign.Rules));
    }

    private static IEnumerable<Branch> Unassessed(List<Branch> branches, List<Ranker.Placed> order)
    {
        var ranked = order.Select(p => p.Branch.VillageCode).ToHashSet();
        return branches.Where(b => !ranked.Contains(b.VillageCode));
    }

    public async Task<ProposalList> ProposeAsync(Caller caller, ProposeTargetsRequest request, CancellationToken ct)
    {
        var campaign = await database.ReadAsync(c => CampaignStore.LoadAsync(c, request.CampaignId), ct);
        EnsureCountyDecision(caller, campaign, "Proposing targets (which restarts the review)");
        await database.WriteAsync(async session =>
        {
            campaign = await CampaignStore.LoadAsync(session, request.CampaignId);
            if (campaign.Confirmed) throw new PreconditionFailedException("ALREADY_CONFIRMED", campaign.Id, "The targets are already confirmed.");
            var branches = await CampaignStore.BranchesAsync(session, campaign.Id);
            var assessments = await CampaignStore.LatestAssessmentsAsync(session, campaign.Id);
            var missing = branches.Count(b => !assessments.ContainsKey(b.VillageCode));
            if (missing > 0)
                throw new PreconditionFailedException("UNASSESSED_BRANCHES", campaign.Id, $"{missing} of {branches.Count} branches have no assessment yet; every branch is ranked.");
            var proposals = Ranker.Propose(Ranker.Rank(branches, assessments, campaign.Rules), branches, campaign.Rules);
            // Proposing again before confirmation starts the review afresh from the current scores.
            await session.ExecuteAsync("DELETE FROM proposals WHERE campaign_id = @Id", new { campaign.Id });
            await session.ExecuteAsync("""
                INSERT INTO proposals (campaign_id, village_code, status, bottom_quota, auto_reasons)
                VALUES (@Id, @VillageCode, @Status, @BottomQuota, @AutoReasons)
                """, proposals.Select(p => new
            {
                campaign.Id, p.Branch.Branch.VillageCode, Status = (int)ProposalStatus.Proposed, p.BottomQuota,
                AutoReasons = JsonSerializer.Serialize(p.Branch.Explanation.AutoDesignationReasons),
            }).ToList());
        }, ct);
        return await ListProposalsAsync(caller, new ListProposalsRequest { CampaignId = request.CampaignId }, ct);
    }

    private sealed class ProposalRow
    {
        public string VillageCode { get; set; } = "";
        public int Status { get; set; }
        public bool BottomQuota { get; set; }
        public string AutoReasons { get; set; } = "[]";
        public string? ReviewReason { get; set; }
        public string? OverrideReason { get; set; }
        public string? ReviewedBy { get; set; }
        public DateTime? ReviewedAt { get; set; }
    }

    private static Task<IEnumerable<ProposalRow>> ProposalRowsAsync(DbSession session, string campaignId) =>
        session.QueryAsync<ProposalRow>("""
            SELECT village_code AS VillageCode, status AS Status, bottom_quota AS BottomQuota, auto_reasons AS AutoReasons,
                   review_reason AS ReviewReason, override_reason AS OverrideReason, reviewed_by AS ReviewedBy, reviewed_at AS ReviewedAt
            FROM proposals WHERE campaign_id = @campaignId ORDER BY village_code
            """, new { campaignId });

    public async Task<ProposalList> ListProposalsAsync(Caller caller, ListProposalsRequest request, CancellationToken ct)
    {
        var (campaign, branches, assessments) = await LoadForRankingAsync(request.CampaignId, ct);
        // The county sees every proposal; a township its own villages' (三级联评 starts there), a village its own.
        caller.EnsureInLine(campaign.Owned);
        var ranking = Ranker.Rank(branches, assessments, campaign.Rules).ToDictionary(r => r.Branch.VillageCode);
        var rows = (await database.ReadAsync(c => ProposalRowsAsync(c, campaign.Id), ct)).Where(r => caller.CanSee(OrgCode.Parse(r.VillageCode)));
        var result = new ProposalList { CampaignId = campaign.Id };
        result.Proposals.AddRange(rows.OrderBy(r => ranking[r.VillageCode].Rank).Select(r => ToProto(r, ranking[r.VillageCode])));
        return result;
    }

    private static Proposal ToProto(ProposalRow row, RankedBranch ranked)
    {
        var proposal = new Proposal
        {
            Branch = ranked.Branch, Status = (ProposalStatus)row.Status, BottomQuota = row.BottomQuota, Ranking = ranked,
            ReviewReason = row.ReviewReason ?? "", OverrideReason = row.OverrideReason ?? "", ReviewedBy = row.ReviewedBy ?? "",
            ReviewedAt = row.ReviewedAt is { } at ? new DateTimeOffset(at.AsUtc()).ToProto() : null,
        };
        proposal.AutoDesignationReasons.AddRange(JsonSerializer.Deserialize<List<string>>(row.AutoReasons)!);
        return proposal;
    }

    public async Task<Proposal> ReviewAsync(Caller caller, ReviewProposalRequest request, CancellationToken ct)
    {
        var (campaignId, village, confirm, reason, overrideReason) = ReviewProposalInput.Parse(request);
        var campaign = await database.ReadAsync(c => CampaignStore.LoadAsync(c, campaignId), ct);
        EnsureCountyDecision(caller, campaign, "Confirming or rejecting a proposal");
        await database.WriteAsync(async session =>
        {
            campaign = await CampaignStore.LoadAsync(session, campaignId);
            if (campaign.Confirmed) throw new PreconditionFailedException("ALREADY_CONFIRMED", campaign.Id, "The targets are already confirmed.");
            var row = (await ProposalRowsAsync(session, campaign.Id)).SingleOrDefault(p => p.VillageCode == village.Value)
                ?? throw new NotFoundException("proposal", $"{village} in campaign {campaign.Id}");
            var auto = JsonSerializer.Deserialize<List<string>>(row.AutoReasons)!;
            // 直接认定 overrides rank: rejecting such a branch takes a recorded reason for overriding it.
            if (!confirm && auto.Count > 0 && overrideReason is null)
                throw ValidationException.For("override_reason", $"is required to reject a branch designated directly ({string.Join(", ", auto)})");
            await session.ExecuteAsync("""
                UPDATE proposals SET status = @status, review_reason = @reason, override_reason = @overrideReason, reviewed_by = @by, reviewed_at = @at
                WHERE campaign_id = @Id AND village_code = @village
                """, new
            {
                status = (int)(confirm ? ProposalStatus.Confirmed : ProposalStatus.Rejected), reason,
                overrideReason = confirm ? null : overrideReason, by = caller.Subject, at = clock.GetUtcNow().UtcDateTime, campaign.Id, village = row.VillageCode,
            });
        }, ct);
        return (await ListProposalsAsync(caller, new ListProposalsRequest { CampaignId = campaign.Id }, ct)).Proposals.Single(p => p.Branch.VillageCode == village.Value);
    }

    public async Task<Designation> ConfirmAsync(Caller caller, ConfirmTargetsRequest request, CancellationToken ct)
    {
        var campaign = await database.ReadAsync(c => CampaignStore.LoadAsync(c, request.CampaignId), ct);
        EnsureCountyDecision(caller, campaign, "Confirming the targets");
        var now = clock.GetUtcNow();
        return await database.WriteAsync(async session =>
        {
            campaign = await CampaignStore.LoadAsync(session, request.CampaignId);
            if (campaign.Confirmed)
                throw new PreconditionFailedException("ALREADY_CONFIRMED", campaign.Id, $"The targets were confirmed at {campaign.ConfirmedAt:yyyy-MM-dd HH:mm} UTC; a correction is a new revision, not a second confirmation.");
            var proposals = (await ProposalRowsAsync(session, campaign.Id)).ToList();
            if (proposals.Count == 0) throw new PreconditionFailedException("NO_PROPOSALS", campaign.Id, "There are no proposals to confirm; propose targets first.");
            var open = proposals.Count(p => p.Status == (int)ProposalStatus.Proposed);
            if (open > 0) throw new PreconditionFailedException("UNREVIEWED_PROPOSALS", campaign.Id, $"{open} proposals still await the county's review.");
            var branches = (await CampaignStore.BranchesAsync(session, campaign.Id)).ToDictionary(b => b.VillageCode);
            var confirmed = proposals.Where(p => p.Status == (int)ProposalStatus.Confirmed).Select(p => branches[p.VillageCode]).ToList();
            await session.ExecuteAsync("UPDATE campaigns SET confirmed_at = @at WHERE id = @Id", new { at = now.UtcDateTime, campaign.Id });
            await session.ExecuteAsync("INSERT INTO targets (campaign_id, village_code, status, accepted_on) VALUES (@Id, @VillageCode, @status, NULL)",
                confirmed.Select(b => new { campaign.Id, b.VillageCode, status = (int)TargetStatus.Designated }).ToList());
            await session.PublishAsync(new TargetsDesignated(campaign.CountyCode, campaign.Year, campaign.Rules.EndsOn,
                confirmed.Select(b => new DesignatedTarget(b.VillageCode, b.VillageName, b.TownshipName, Version: 1)).ToList(), now));
            var designation = new Designation { CampaignId = campaign.Id, ConfirmedAt = now.ToProto() };
            designation.Targets.AddRange(confirmed);
            return designation;
        }, ct);
    }

    /// <summary>Proposing, reviewing and confirming are the county's decisions (县级确认): a reviewer of the county or a unit above it.</summary>
    private static void EnsureCountyDecision(Caller caller, CampaignRow campaign, string what)
    {
        caller.EnsureInLine(campaign.Owned);
        caller.EnsureCountyDecision(OrgCode.Parse(campaign.CountyCode), what);
    }

    private async Task<(CampaignRow, List<Branch>, Dictionary<string, AssessmentRow>)> LoadForRankingAsync(string campaignId, CancellationToken ct) =>
        await database.ReadAsync(c => RankingSource.LoadAsync(c, campaignId), ct);

    private static BranchAssessment ToProto(AssessmentRow row)
    {
        var proto = new BranchAssessment
        {
            CampaignId = row.CampaignId, VillageCode = row.VillageCode, Revision = row.Revision,
            Votes = new Votes { Satisfied = row.Satisfied, BasicallySatisfied = row.BasicallySatisfied, Dissatisfied = row.Dissatisfied, Ballots = row.Ballots },
            Committee = new CommitteeScores
            {
                TeamOperation = Hundredths.ToPoints(row.TeamOperation), OrganizationalSystems = Hundredths.ToPoints(row.OrganizationalSystems),
                CadreTeam = Hundredths.ToPoints(row.CadreTeam), VanguardRole = Hundredths.ToPoints(row.VanguardRole),
            },
            CorrectionReason = row.CorrectionReason ?? "", RecordedBy = row.RecordedBy, RecordedAt = new DateTimeOffset(row.RecordedAt.AsUtc()).ToProto(),
        };
        proto.Findings.AddRange(row.FindingList.Select(f => new Finding { Code = f.Code, Note = f.Note }));
        return proto;
    }
}
