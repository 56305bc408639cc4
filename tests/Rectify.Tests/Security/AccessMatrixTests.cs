using Google.Protobuf.Reflection;
using Grpc.Core;
using Rectify.Assessment.V1;
using Rectify.Common.V1;
using Rectify.Gateway.V1;
using Rectify.Host;
using Rectify.Identity.V1;
using Rectify.Kernel;
using Rectify.Measures.V1;
using Rectify.Notifications.V1;
using Rectify.Operations.V1;
using Rectify.Organizations.V1;
using Rectify.Platform;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;
using Rectify.Reporting.V1;
using Rectify.Tests.Support;
using Role = Rectify.Kernel.Role;

namespace Rectify.Tests.Security;

/// <summary>Where the unit a request touches (its subject) stands relative to the caller's unit.</summary>
public enum Position
{
    /// <summary>The subject is the caller's own unit.</summary>
    Own,
    /// <summary>The subject is a child of the caller's unit (a county calling about its township).</summary>
    Child,
    /// <summary>The subject is the caller's parent (a township calling about its county); none below a village.</summary>
    Parent,
    /// <summary>The subject is a sibling of the caller's unit (another township of the same county).</summary>
    Sibling,
    /// <summary>The subject lies in another county (the caller is the unit at the same level there).</summary>
    OtherCounty,
}

/// <summary>The rule of an RPC, as docs/access-matrix.md states it.</summary>
public enum Access
{
    /// <summary>Any authenticated caller (reference data that every unit reads).</summary>
    Anyone,
    /// <summary>Any role, the subject in the caller's subtree.</summary>
    Read,
    /// <summary>Any role, the subject in the caller's subtree or above it (a county's campaign, read by its townships filtered to their own rows).</summary>
    ReadInLine,
    /// <summary>Officer or reviewer, the subject in the caller's subtree.</summary>
    Write,
    /// <summary>Officer or reviewer of a unit above the subject.</summary>
    Manage,
    /// <summary>Reviewer of a unit above the subject.</summary>
    Decide,
    /// <summary>Reviewer of the county (the subject) or above.</summary>
    CountyDecision,
    /// <summary>Officer or reviewer of any county or above: system-wide jobs whose effects are idempotent.</summary>
    CountyWork,
    /// <summary>Admin of any county or above: reference data.</summary>
    CountyAdmin,
    /// <summary>Admin of the subject or a unit above it: accounts, machine clients, a unit's reference data, security events.</summary>
    Admin,
    /// <summary>Refused to everyone (the first admin's bootstrap, once an account exists).</summary>
    Nobody,
    /// <summary>
    /// Admin of the root unit (000000000000) or the system: platform operations (dead letters). None of the matrix's
    /// callers is at the root, so all are denied here; RedeliveryTests calls them as the root's admin.
    /// </summary>
    RootAdmin,
}

/// <param name="Subject">The unit the request touches; callers are placed relative to it.</param>
/// <param name="Call">The request, as the caller makes it.</param>
/// <param name="IdOwner">For a request that names a record by id: the unit owning it. A caller outside its line must get NotFound.</param>
public sealed record Rule(OrgCode Subject, Access Access, Func<CallInvoker, Task> Call, OrgCode? IdOwner = null);

/// <summary>
/// The access matrix, checked over real gRPC against one host with every module and the demo county: every RPC of every
/// service (read from the generated descriptors, so a new RPC without a rule fails) × viewer, officer, reviewer, admin ×
/// where its subject stands relative to the caller. Allowed means the call is not refused for access (it succeeds, or fails
/// on the state of things: FailedPrecondition, AlreadyExists, or NotFound for a code-based read of nothing); denied means
/// PermissionDenied, or NotFound for a record named by id — and always NotFound when the record lies outside the caller's line.
/// </summary>
public sealed class AccessMatrixTests(ITestOutputHelper output)
{
    public static readonly Role[] Roles = [Role.Viewer, Role.Officer, Role.Reviewer, Role.Admin];

    /// <summary>Every service whose RPCs the matrix covers.</summary>
    public static readonly FileDescriptor[] Contracts =
    [
        IdentityReflection.Descriptor,
        OrganizationsReflection.Descriptor, AssessmentReflection.Descriptor, MeasuresReflection.Descriptor,
        ReportingReflection.Descriptor, NotificationsReflection.Descriptor, GatewayReflection.Descriptor,
        OperationsReflection.Descriptor,
    ];

    public static bool Allowed(Access access, Role role, Position position)
    {
        var writes = role is Role.Officer or Role.Reviewer;
        return access switch
        {
            Access.Anyone => true,
            Access.Read => position is Position.Own or Position.Child,
            Access.ReadInLine => position is Position.Own or Position.Child or Position.Parent,
            Access.Write => writes && position is Position.Own or Position.Child,
            Access.Manage => writes && position is Position.Child,
            Access.Decide => role == Role.Reviewer && position is Position.Child,
            Access.CountyDecision => role == Role.Reviewer && position is Position.Own or Position.Child,
            Access.CountyWork => writes && position is not Position.Parent,
            Access.CountyAdmin => role == Role.Admin && position is not Position.Parent,
            Access.Admin => role == Role.Admin && position is Position.Own or Position.Child,
            Access.Nobody or Access.RootAdmin => false,
            _ => throw new ArgumentOutOfRangeException(nameof(access)),
        };
    }

    [Fact]
    public async Task Every_rpc_by_role_and_position_is_allowed_or_denied_as_the_access_matrix_says()
    {
        await using var host = await TestHost.StartAsync(DbProvider.Sqlite, ServiceCatalog.All, new Dictionary<string, string?>
        {
            ["Rectify:Demo"] = "true",
            ["Rectify:Measures:ScheduleScans"] = "false",
            ["Rectify:Identity:SignInsPerMinutePerAddress"] = "10000",
        });
        var demo = await Demo.LoadAsync(host);
        var rules = Rules(demo);

        var methods = Contracts.SelectMany(f => f.Services).SelectMany(s => s.Methods).Select(m => $"{m.Service.FullName}/{m.Name}").ToList();
        Assert.True(methods.Count > 50, $"{methods.Count} RPCs found in the descriptors");
        var unchecked_ = methods.Except(rules.Keys).ToList();
        Assert.True(unchecked_.Count == 0, "RPCs without a rule in the access matrix (add them to Rules and docs/access-matrix.md): " + string.Join(", ", unchecked_));
        var stale = rules.Keys.Except(methods).ToList();
        Assert.True(stale.Count == 0, "rules for RPCs that do not exist: " + string.Join(", ", stale));

        var checks = 0;
        var mismatches = new List<string>();
        foreach (var method in methods)
        {
            var rule = rules[method];
            foreach (var position in Enum.GetValues<Position>())
            {
                if (demo.CallerFor(rule.Subject, position) is not { } callerUnit) continue; // nothing below a village
                foreach (var role in Roles)
                {
                    checks++;
                    var expected = Allowed(rule.Access, role, position);
                    var (status, detail) = await OutcomeAsync(rule.Call(host.As(callerUnit.Value, role, $"matrix-{role}")));
                    var denied = status == StatusCode.PermissionDenied || (rule.IdOwner is not null && status == StatusCode.NotFound);
                    var allowed = status is StatusCode.OK or StatusCode.FailedPrecondition or StatusCode.AlreadyExists || (rule.IdOwner is null && status == StatusCode.NotFound);
                    var mustBeNotFound = !expected && rule.IdOwner is { } owner && !(callerUnit.IsAncestorOrSelfOf(owner) || owner.IsAncestorOrSelfOf(callerUnit));
                    var ok = expected ? allowed : denied && (!mustBeNotFound || status == StatusCode.NotFound);
                    if (!ok)
                        mismatches.Add($"{method} as {role} of {callerUnit} (subject {rule.Subject} is its {position}): expected {(expected ? "allowed" : mustBeNotFound ? "NotFound" : "denied")}, got {status} {detail}");
                }
            }
        }
        var summary = $"access matrix: {methods.Count} RPCs × {Roles.Length} roles × {Enum.GetValues<Position>().Length} positions = {checks} checks (no position below a village), {mismatches.Count} mismatches";
        output.WriteLine(summary);
        TestContext.Current.SendDiagnosticMessage(summary);
        Assert.True(mismatches.Count == 0, summary + Environment.NewLine + string.Join(Environment.NewLine, mismatches));
    }

    private static async Task<(StatusCode, string)> OutcomeAsync(Task call)
    {
        try
        {
            await call;
            return (StatusCode.OK, "");
        }
        catch (RpcException e)
        {
            return (e.StatusCode, e.Status.Detail);
        }
    }

    /// <summary>The rule table: one row per RPC, named "package.Service/Method".</summary>
    private static Dictionary<string, Rule> Rules(Demo d)
    {
        var rules = new Dictionary<string, Rule>();
        void Add<TClient>(ServiceDescriptor service, string method, OrgCode subject, Access access, Func<CallInvoker, TClient> client, Func<TClient, Task> call, OrgCode? idOwner = null) =>
            rules.Add($"{service.FullName}/{method}", new Rule(subject, access, invoker => call(client(invoker)), idOwner));
        var today = d.Today;
        var year = d.Campaign.Year;
        var period = new Period { Year = today.Year, Month = today.Month };
        var lastMonth = today.AddMonths(-1);
        var previous = new Period { Year = lastMonth.Year, Month = lastMonth.Month };
        var next = 900;
        string NewVillage() => d.Township.Prefix + (next++).ToString();

        // Identity: sign-in is anonymous (the token a caller brings plays no part); management is an admin's of the unit or above.
        var identity = IdentityReflection.Descriptor.Services.Single();
        Func<CallInvoker, IdentityService.IdentityServiceClient> i = invoker => new(invoker);
        var signIn = new LoginRequest { UserName = Demo.Person, Password = Demo.Password };
        Add(identity, "Login", d.Township, Access.Anyone, i, c => c.LoginAsync(signIn).ResponseAsync);
        Add(identity, "Refresh", d.Township, Access.Anyone, i, async c => await c.RefreshAsync(new RefreshRequest { RefreshToken = (await c.LoginAsync(signIn)).RefreshToken }));
        Add(identity, "Logout", d.Township, Access.Anyone, i, c => c.LogoutAsync(new RefreshRequest { RefreshToken = "matrix-unknown-token" }).ResponseAsync);
        Add(identity, "Bootstrap", d.County, Access.Nobody, i, c => c.BootstrapAsync(new BootstrapRequest
            { Code = "matrix-guess", UserName = "matrix.usurper", DisplayName = "矩阵", OrgCode = d.County.Value, Password = Demo.Password }).ResponseAsync);
        Add(identity, "WhoAmI", d.Township, Access.Anyone, i, c => c.WhoAmIAsync(new WhoAmIRequest()).ResponseAsync);
        Add(identity, "ChangePassword", d.Township, Access.Anyone, i, c => c.ChangePasswordAsync(new ChangePasswordRequest { CurrentPassword = Demo.Password, NewPassword = "Matrix-Changed-1" }).ResponseAsync);
        Add(identity, "CreateAccount", d.Township, Access.Admin, i, c => c.CreateAccountAsync(new CreateAccountRequest
            { UserName = $"matrix.{next++}", DisplayName = "矩阵", OrgCode = d.Township.Value, Role = Identity.V1.Role.Viewer, Password = Demo.Password }).ResponseAsync);
        Add(identity, "ListAccounts", d.Township, Access.Admin, i, c => c.ListAccountsAsync(new ListAccountsRequest { OrgCode = d.Township.Value }).ResponseAsync);
        Add(identity, "DisableAccount", d.Township, Access.Admin, i, c => c.DisableAccountAsync(new AccountRequest { UserName = Demo.Managed }).ResponseAsync, d.Township);
        Add(identity, "EnableAccount", d.Township, Access.Admin, i, c => c.EnableAccountAsync(new AccountRequest { UserName = Demo.Managed }).ResponseAsync, d.Township);
        Add(identity, "ResetPassword", d.Township, Access.Admin, i, c => c.ResetPasswordAsync(new ResetPasswordRequest { UserName = Demo.Managed, NewPassword = "Matrix-Reset-22" }).ResponseAsync, d.Township);
        Add(identity, "CreateClient", d.Township, Access.Admin, i, c => c.CreateClientAsync(new CreateClientRequest { Name = "矩阵系统", OrgCode = d.Township.Value }).ResponseAsync);
        Add(identity, "ListClients", d.Township, Access.Admin, i, c => c.ListClientsAsync(new ListClientsRequest { OrgCode = d.Township.Value }).ResponseAsync);
        Add(identity, "RevokeClient", d.Township, Access.Admin, i, c => c.RevokeClientAsync(new ClientRequest { ClientId = d.ClientId }).ResponseAsync, d.Township);
        Add(identity, "ListSecurityEvents", d.Township, Access.Admin, i, c => c.ListSecurityEventsAsync(new ListSecurityEventsRequest { OrgCode = d.Township.Value }).ResponseAsync);

        // Organizations
        var org = OrganizationsReflection.Descriptor.Services.Single();
        Func<CallInvoker, OrganizationService.OrganizationServiceClient> o = i => new(i);
        Add(org, "GetUnit", d.Township, Access.Read, o, c => c.GetUnitAsync(new GetUnitRequest { Code = d.Township.Value }).ResponseAsync);
        Add(org, "ListChildren", d.Township, Access.Read, o, c => c.ListChildrenAsync(new ListChildrenRequest { Code = d.Township.Value }).ResponseAsync);
        Add(org, "ListSubtree", d.Township, Access.Read, o, c => c.ListSubtreeAsync(new ListSubtreeRequest { Code = d.Township.Value }).ResponseAsync);
        Add(org, "StreamSubtree", d.Township, Access.Read, o, c => Drain(c.StreamSubtree(new StreamSubtreeRequest { Code = d.Township.Value })));
        Add(org, "SearchUnits", d.Township, Access.Read, o, c => c.SearchUnitsAsync(new SearchUnitsRequest { Query = "村", WithinCode = d.Township.Value }).ResponseAsync);
        Add(org, "RegisterUnit", d.Township, Access.Write, o, c => c.RegisterUnitAsync(new RegisterUnitRequest { Code = NewVillage(), Name = "矩阵新村" }).ResponseAsync);
        Add(org, "RenameUnit", d.PlainVillage, Access.Manage, o, c => c.RenameUnitAsync(new RenameUnitRequest { Code = d.PlainVillage.Value, NewName = $"矩阵改名村{next++}", EffectiveOn = today.ToProto(), Reason = "矩阵" }).ResponseAsync);
        Add(org, "CloseUnit", d.Township, Access.Manage, o, c => c.CloseUnitAsync(new CloseUnitRequest { Code = d.Township.Value, ClosedOn = today.ToProto(), Reason = "矩阵" }).ResponseAsync);
        Add(org, "MergeUnit", d.Township, Access.Manage, o, c => c.MergeUnitAsync(new MergeUnitRequest { Code = d.Township.Value, IntoCode = d.SiblingTownship.Value, EffectiveOn = today.ToProto(), Reason = "矩阵" }).ResponseAsync);
        Add(org, "GetUnitHistory", d.Township, Access.Read, o, c => c.GetUnitHistoryAsync(new GetUnitHistoryRequest { Code = d.Township.Value }).ResponseAsync);
        Add(org, "ImportUnits", d.Township, Access.Write, o, c => ImportAsync(c, NewVillage()));
        Add(org, "GetProfile", d.Village, Access.Read, o, c => c.GetProfileAsync(new GetProfileRequest { VillageCode = d.Village.Value, Year = d.ProfileYear }).ResponseAsync);
        Add(org, "SetProfile", d.Village, Access.Write, o, c => c.SetProfileAsync(new SetProfileRequest { Profile = d.Profile }).ResponseAsync);
        Add(org, "ListAssignments", d.Village, Access.Read, o, c => c.ListAssignmentsAsync(new ListAssignmentsRequest { VillageCode = d.Village.Value, Year = year }).ResponseAsync);
        Add(org, "AddAssignment", d.Village, Access.Manage, o, c => c.AddAssignmentAsync(new AddAssignmentRequest
            { VillageCode = d.Village.Value, Year = year, Kind = AssignmentKind.PartyBuildingInstructor, Assignee = "矩阵", Position = "党建指导员" }).ResponseAsync);
        Add(org, "GetTemplate", d.Township, Access.Read, o, c => Drain(c.GetTemplate(new GetTemplateRequest { Kind = TemplateKind.Units, ScopeCode = d.Township.Value })));
        Add(org, "ImportWorkbook", d.Township, Access.Write, o, c => ImportWorkbookAsync(c, d.Township.Value, NewVillage()));
        Add(org, "RemoveAssignment", d.Village, Access.Manage, o, c => c.RemoveAssignmentAsync(new RemoveAssignmentRequest { Id = d.LockedAssignmentId, Reason = "矩阵" }).ResponseAsync, d.Village);

        // Assessment
        var assessment = AssessmentReflection.Descriptor.Services.Single();
        Func<CallInvoker, AssessmentService.AssessmentServiceClient> a = i => new(i);
        var campaign = d.Campaign.Id;
        var scores = new RecordAssessmentRequest
        {
            CampaignId = campaign, VillageCode = d.Village.Value, Votes = new Votes { Satisfied = 8, BasicallySatisfied = 1, Dissatisfied = 1, Ballots = 10 },
            Committee = new CommitteeScores { TeamOperation = 80, OrganizationalSystems = 80, CadreTeam = 80, VanguardRole = 80 },
        };
        var review = new RecordAcceptanceRequest
        {
            CampaignId = campaign, VillageCode = d.Village.Value, Aspects = { new AspectScore { Aspect = "班子建设", Score = 90 } },
            Votes = new Votes { Satisfied = 8, BasicallySatisfied = 1, Dissatisfied = 1, Ballots = 10 }, NewDeadline = today.AddDays(30).ToProto(),
        };
        Add(assessment, "CreateCampaign", d.County, Access.Write, a, c => c.CreateCampaignAsync(new CreateCampaignRequest { CountyCode = d.County.Value, Year = year }).ResponseAsync);
        Add(assessment, "GetCampaign", d.County, Access.ReadInLine, a, c => c.GetCampaignAsync(new GetCampaignRequest { CampaignId = campaign }).ResponseAsync, d.County);
        Add(assessment, "ListCampaigns", d.County, Access.ReadInLine, a, c => c.ListCampaignsAsync(new ListCampaignsRequest { CountyCode = d.County.Value }).ResponseAsync);
        Add(assessment, "RecordAssessment", d.Village, Access.Manage, a, c => c.RecordAssessmentAsync(scores).ResponseAsync, d.County);
        Add(assessment, "CorrectAssessment", d.Village, Access.Decide, a, c => c.CorrectAssessmentAsync(new CorrectAssessmentRequest { Assessment = scores, Reason = "矩阵复核" }).ResponseAsync, d.County);
        Add(assessment, "GetRanking", d.Township, Access.Read, a, c => c.GetRankingAsync(new GetRankingRequest { CampaignId = campaign, TownshipCode = d.Township.Value }).ResponseAsync, d.County);
        Add(assessment, "StreamRanking", d.Township, Access.Read, a, c => Drain(c.StreamRanking(new GetRankingRequest { CampaignId = campaign, TownshipCode = d.Township.Value })), d.County);
        Add(assessment, "ProposeTargets", d.County, Access.CountyDecision, a, c => c.ProposeTargetsAsync(new ProposeTargetsRequest { CampaignId = campaign }).ResponseAsync, d.County);
        Add(assessment, "ListProposals", d.County, Access.ReadInLine, a, c => c.ListProposalsAsync(new ListProposalsRequest { CampaignId = campaign }).ResponseAsync, d.County);
        Add(assessment, "ReviewProposal", d.County, Access.CountyDecision, a, c => c.ReviewProposalAsync(new ReviewProposalRequest
            { CampaignId = campaign, VillageCode = d.Village.Value, Confirm = true, Reason = "矩阵" }).ResponseAsync, d.County);
        Add(assessment, "ConfirmTargets", d.County, Access.CountyDecision, a, c => c.ConfirmTargetsAsync(new ConfirmTargetsRequest { CampaignId = campaign }).ResponseAsync, d.County);
        Add(assessment, "RecordPastTargets", d.County, Access.CountyDecision, a, c => c.RecordPastTargetsAsync(new RecordPastTargetsRequest
            { CountyCode = d.County.Value, Year = today.Year - 5, DecidedOn = new DateOnly(today.Year - 5, 4, 20).ToProto(), Basis = "矩阵县委组发〔历史〕1号", VillageCodes = { d.Village.Value } }).ResponseAsync);
        Add(assessment, "ListTargets", d.County, Access.ReadInLine, a, c => c.ListTargetsAsync(new ListTargetsRequest { CampaignId = campaign }).ResponseAsync, d.County);
        Add(assessment, "GetTemplate", d.Township, Access.Read, a, c => Drain(c.GetTemplate(new GetTemplateRequest { Kind = TemplateKind.Assessments, ScopeCode = d.Township.Value, CampaignYear = year })));
        // RecordAssessment's rule for the township's villages: Write on the township (its villages lie below it).
        Add(assessment, "ImportWorkbook", d.Township, Access.Write, a, async c =>
        {
            var blank = await BlankAsync(c.GetTemplate(new GetTemplateRequest { Kind = TemplateKind.Assessments, ScopeCode = d.Township.Value, CampaignYear = year }));
            await DryRunBlankAsync(c.ImportWorkbook(), TemplateKind.Assessments, d.Township.Value, blank, year);
        });
        Add(assessment, "RecordAcceptance", d.Village, Access.Decide, a, c => c.RecordAcceptanceAsync(review).ResponseAsync, d.County);
        Add(assessment, "RecordLookBack", d.Village, Access.Decide, a, c => c.RecordLookBackAsync(review).ResponseAsync, d.County);

        // Measures
        var measures = MeasuresReflection.Descriptor.Services.Single();
        Func<CallInvoker, MeasureService.MeasureServiceClient> m = i => new(i);
        var measure = new MeasureInput { Description = "矩阵措施", ResponsiblePersons = { "矩阵" }, Deadline = d.CampaignEndsOn.ToProto() };
        Add(measures, "ListProblemCategories", d.County, Access.Anyone, m, c => c.ListProblemCategoriesAsync(new ListProblemCategoriesRequest()).ResponseAsync);
        Add(measures, "SetProblemCategory", d.County, Access.CountyAdmin, m, c => c.SetProblemCategoryAsync(new ProblemCategory { Code = "MATRIX_TEST", Name = "矩阵类别" }).ResponseAsync);
        Add(measures, "AddProblemCategory", d.County, Access.Admin, m, c => c.AddProblemCategoryAsync(new DefineProblemCategoryRequest
            { UnitCode = d.County.Value, Code = $"MATRIX_{next++}", Name = "矩阵新增类别" }).ResponseAsync);
        Add(measures, "OverrideProblemCategory", d.County, Access.Admin, m, c => c.OverrideProblemCategoryAsync(new DefineProblemCategoryRequest
            { UnitCode = d.County.Value, Code = Demo.CountyCategory, Name = "矩阵覆盖名称" }).ResponseAsync);
        Add(measures, "RetireProblemCategory", d.County, Access.Admin, m, c => c.RetireProblemCategoryAsync(new ProblemCategoryKey { UnitCode = d.County.Value, Code = Demo.CountyCategory }).ResponseAsync);
        Add(measures, "RestoreProblemCategory", d.County, Access.Admin, m, c => c.RestoreProblemCategoryAsync(new ProblemCategoryKey { UnitCode = d.County.Value, Code = Demo.CountyCategory }).ResponseAsync);
        Add(measures, "CreatePlan", d.UnplannedTarget, Access.Manage, m, c => c.CreatePlanAsync(new CreatePlanRequest
        {
            VillageCode = d.UnplannedTarget.Value, CampaignYear = year, StartsOn = d.CampaignStartsOn.ToProto(), BasicSituation = "矩阵", Goals = { "矩阵" },
            Phases = { new Phase { Name = "集中整顿", EndsOn = d.CampaignEndsOn.ToProto() } },
            Problems = { new ProblemInput { CategoryCode = "COLLECTIVE_ECONOMY", Description = "矩阵", Measures = { measure } } },
        }).ResponseAsync);
        Add(measures, "GetPlan", d.Village, Access.Read, m, c => c.GetPlanAsync(new GetPlanRequest { PlanId = d.Plan.Id }).ResponseAsync, d.Village);
        Add(measures, "AddMeasure", d.Village, Access.Manage, m, c => c.AddMeasureAsync(new AddMeasureRequest { PlanId = d.Plan.Id, ProblemId = d.Plan.Problems[0].Id, Measure = measure }).ResponseAsync, d.Village);
        Add(measures, "GetMeasure", d.Village, Access.Read, m, c => c.GetMeasureAsync(new GetMeasureRequest { MeasureId = d.MeasureId }).ResponseAsync, d.Village);
        Add(measures, "RecordProgress", d.Village, Access.Write, m, c => c.RecordProgressAsync(new RecordProgressRequest { MeasureId = d.MeasureId, Percent = 50, Note = "矩阵" }).ResponseAsync, d.Village);
        Add(measures, "CompleteMeasure", d.Village, Access.Write, m, c => c.CompleteMeasureAsync(new CompleteMeasureRequest { MeasureId = d.MeasureId, Note = "矩阵" }).ResponseAsync, d.Village);
        Add(measures, "CloseMeasure", d.Village, Access.Manage, m, c => c.CloseMeasureAsync(new CloseMeasureRequest { MeasureId = d.MeasureId, Verifier = "矩阵", Note = "矩阵" }).ResponseAsync, d.Village);
        Add(measures, "ReopenMeasure", d.Village, Access.Manage, m, c => c.ReopenMeasureAsync(new ReopenMeasureRequest
            { MeasureId = d.MeasureId, Reason = "矩阵", NewDeadline = d.CampaignEndsOn.ToProto() }).ResponseAsync, d.Village);
        // Photos as evidence: uploading follows RecordProgress (the village reports); reading, the measure's.
        var photo = Rectify.Tests.Measures.TestPhotos.Jpeg(64, 48, seed: 9);
        var announce = new BeginEvidenceUploadRequest
            { MeasureId = d.MeasureId, FileName = "矩阵.jpg", ContentType = "image/jpeg", SizeBytes = photo.Length, Sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(photo)) };
        async Task<EvidenceUpload> SendPhoto(MeasureService.MeasureServiceClient c)
        {
            var upload = await c.BeginEvidenceUploadAsync(announce);
            return await c.PutEvidenceChunkAsync(new PutEvidenceChunkRequest { UploadId = upload.UploadId, Offset = 0, Data = Google.Protobuf.ByteString.CopyFrom(photo) });
        }
        Add(measures, "BeginEvidenceUpload", d.Village, Access.Write, m, c => c.BeginEvidenceUploadAsync(announce).ResponseAsync, d.Village);
        Add(measures, "PutEvidenceChunk", d.Village, Access.Write, m, SendPhoto, d.Village);
        Add(measures, "CompleteEvidenceUpload", d.Village, Access.Write, m, async c =>
            await c.CompleteEvidenceUploadAsync(new CompleteEvidenceUploadRequest { UploadId = (await SendPhoto(c)).UploadId }), d.Village);
        Add(measures, "ListEvidence", d.Village, Access.Read, m, c => c.ListEvidenceAsync(new ListEvidenceRequest { MeasureId = d.MeasureId }).ResponseAsync, d.Village);
        Add(measures, "GetEvidenceContent", d.Village, Access.Read, m, c => c.GetEvidenceContentAsync(new GetEvidenceContentRequest { EvidenceId = d.EvidenceId, Thumbnail = true }).ResponseAsync, d.Village);
        Add(measures, "ListMeasures", d.Township, Access.Read, m, c => c.ListMeasuresAsync(new ListMeasuresRequest { ScopeCode = d.Township.Value }).ResponseAsync);
        Add(measures, "GetLedgerCounts", d.Township, Access.Read, m, c => c.GetLedgerCountsAsync(new GetLedgerCountsRequest { ScopeCode = d.Township.Value }).ResponseAsync);
        Add(measures, "ExportLedger", d.Township, Access.Read, m, c => Drain(c.ExportLedger(new ExportLedgerRequest { ScopeCode = d.Township.Value, CampaignYear = year })));
        Add(measures, "GetTemplate", d.Township, Access.Read, m, c => Drain(c.GetTemplate(new GetTemplateRequest { Kind = TemplateKind.Plan, ScopeCode = d.Township.Value })));
        // A dry run of the blank template (downloaded by the same caller: one who may not read the township is denied there already).
        Add(measures, "ImportWorkbook", d.Township, Access.Write, m, async c =>
        {
            var blank = await BlankAsync(c.GetTemplate(new GetTemplateRequest { Kind = TemplateKind.Plan, ScopeCode = d.Township.Value }));
            await DryRunBlankAsync(c.ImportWorkbook(), TemplateKind.Plan, d.Township.Value, blank);
        });
        Add(measures, "ExportPlanDocument", d.Village, Access.Read, m, c => Drain(c.ExportPlanDocument(new ExportPlanDocumentRequest { VillageCode = d.Village.Value, CampaignYear = year })));
        Add(measures, "RunDeadlineScan", d.County, Access.CountyWork, m, c => c.RunDeadlineScanAsync(new RunDeadlineScanRequest()).ResponseAsync);

        // Reporting
        var reporting = ReportingReflection.Descriptor.Services.Single();
        Func<CallInvoker, ReportingService.ReportingServiceClient> r = i => new(i);
        Add(reporting, "PushReport", d.Township, Access.Write, r, c => c.PushReportAsync(new PushReportRequest
        {
            ClientRequestId = Guid.NewGuid().ToString(), TownshipCode = d.Township.Value, Period = period, Submit = false,
            Villages = { new VillageEntry { VillageCode = d.Village.Value, WorkDone = "矩阵", NextMonthPlan = "矩阵" } },
        }).ResponseAsync);
        Add(reporting, "GetReport", d.Township, Access.Read, r, c => c.GetReportAsync(new GetReportRequest { UnitCode = d.Township.Value, Period = period }).ResponseAsync);
        Add(reporting, "ExportMonthlyReport", d.Township, Access.Read, r, c => Drain(c.ExportMonthlyReport(new ExportMonthlyReportRequest { TownshipCode = d.Township.Value, Period = period })));
        Add(reporting, "ListReports", d.Township, Access.Read, r, c => c.ListReportsAsync(new ListReportsRequest { ScopeCode = d.Township.Value, Period = period }).ResponseAsync);
        Add(reporting, "AcceptReport", d.Township, Access.Decide, r, c => c.AcceptReportAsync(new ReviewReportRequest { UnitCode = d.Township.Value, Period = period }).ResponseAsync);
        Add(reporting, "ReturnReport", d.Township, Access.Decide, r, c => c.ReturnReportAsync(new ReviewReportRequest { UnitCode = d.Township.Value, Period = period, Reason = "矩阵" }).ResponseAsync);
        Add(reporting, "GrantException", d.Township, Access.Decide, r, c => c.GrantExceptionAsync(new GrantExceptionRequest
            { TownshipCode = d.Township.Value, Period = previous, Reason = "矩阵", Until = today.AddDays(10).ToProto() }).ResponseAsync);
        Add(reporting, "SubmitCountySummary", d.County, Access.Write, r, c => c.SubmitCountySummaryAsync(new SubmitCountySummaryRequest
            { ClientRequestId = Guid.NewGuid().ToString(), CountyCode = d.County.Value, Period = previous }).ResponseAsync);
        Add(reporting, "RunReminderScan", d.County, Access.CountyWork, r, c => c.RunReminderScanAsync(new RunReminderScanRequest()).ResponseAsync);

        // Notifications
        var notifications = NotificationsReflection.Descriptor.Services.Single();
        Func<CallInvoker, NotificationService.NotificationServiceClient> n = i => new(i);
        Add(notifications, "AddContact", d.Township, Access.Write, n, c => c.AddContactAsync(new AddContactRequest
            { UnitCode = d.Township.Value, Name = "矩阵", Kind = ChannelKind.Webhook, Url = "http://127.0.0.1:9/matrix", Secret = "matrix" }).ResponseAsync);
        Add(notifications, "ListContacts", d.Township, Access.Read, n, c => c.ListContactsAsync(new ListContactsRequest { UnitCode = d.Township.Value }).ResponseAsync);
        Add(notifications, "RemoveContact", d.Township, Access.Write, n, c => c.RemoveContactAsync(new RemoveContactRequest { ContactId = d.ContactId }).ResponseAsync, d.Township);
        Add(notifications, "UpdateContact", d.Township, Access.Write, n, c => c.UpdateContactAsync(new UpdateContactRequest { ContactId = d.ContactId, Name = "矩阵联系人" }).ResponseAsync, d.Township);
        Add(notifications, "TestContact", d.Township, Access.Write, n, c => c.TestContactAsync(new TestContactRequest { ContactId = d.ContactId }).ResponseAsync, d.Township);
        Add(notifications, "ListNotifications", d.Inbox, Access.Read, n, c => c.ListNotificationsAsync(new ListNotificationsRequest { UnitCode = d.Inbox.Value }).ResponseAsync);
        Add(notifications, "MarkRead", d.Inbox, Access.Write, n, c => c.MarkReadAsync(new MarkRequest { NotificationId = d.NotificationId }).ResponseAsync, d.Inbox);
        Add(notifications, "Acknowledge", d.Inbox, Access.Write, n, c => c.AcknowledgeAsync(new MarkRequest { NotificationId = d.NotificationId }).ResponseAsync, d.Inbox);
        Add(notifications, "ListDeliveries", d.Inbox, Access.Read, n, c => c.ListDeliveriesAsync(new ListDeliveriesRequest { UnitCode = d.Inbox.Value }).ResponseAsync);
        Add(notifications, "RunDigest", d.County, Access.CountyWork, n, c => c.RunDigestAsync(new RunDigestRequest()).ResponseAsync);

        // Gateway
        var gateway = GatewayReflection.Descriptor.Services.Single(s => s.Name == "ProgressService");
        Func<CallInvoker, ProgressService.ProgressServiceClient> g = i => new(i);
        var progress = new GetProgressRequest { UnitCode = d.Township.Value, Period = period };
        Add(gateway, "GetProgress", d.Township, Access.Read, g, c => c.GetProgressAsync(progress).ResponseAsync);
        Add(gateway, "WatchProgress", d.Township, Access.Read, g, async c =>
        {
            using var call = c.WatchProgress(progress);
            Assert.True(await call.ResponseStream.MoveNext(TestContext.Current.CancellationToken));
        });
        Add(gateway, "GetDashboard", d.Township, Access.Read, g, c => c.GetDashboardAsync(progress).ResponseAsync);
        Add(gateway, "ExportBulletin", d.County, Access.Read, g, c => Drain(c.ExportBulletin(new ExportBulletinRequest { CountyCode = d.County.Value, Period = progress.Period })));

        // Operations: every host's dead letters, for the root's admin only.
        var operations = OperationsReflection.Descriptor.Services.Single();
        Func<CallInvoker, DeadLetters.DeadLettersClient> ops = i => new(i);
        Add(operations, "ListDeadLetters", d.County, Access.RootAdmin, ops, c => c.ListDeadLettersAsync(new ListDeadLettersRequest()).ResponseAsync);
        Add(operations, "ReplayDeadLetters", d.County, Access.RootAdmin, ops, c => c.ReplayDeadLettersAsync(new ReplayDeadLettersRequest()).ResponseAsync);

        // The gateway's read model: rebuilt from the services' snapshots, reconciled with their counts; an admin's (or the system's).
        var readModel = GatewayReflection.Descriptor.Services.Single(s => s.Name == "ReadModelService");
        Func<CallInvoker, ReadModelService.ReadModelServiceClient> rm = i => new(i);
        Add(readModel, "RebuildReadModel", d.Township, Access.Admin, rm, c => c.RebuildReadModelAsync(new RebuildReadModelRequest { UnitCode = d.Township.Value }).ResponseAsync);
        Add(readModel, "Reconcile", d.Township, Access.Admin, rm, c => c.ReconcileAsync(new ReconcileRequest { UnitCode = d.Township.Value }).ResponseAsync);
        Add(assessment, "SnapshotTargets", d.Township, Access.Admin, a, c => Drain(c.SnapshotTargets(new SnapshotTargetsRequest { ScopeCode = d.Township.Value })));
        Add(measures, "SnapshotLedger", d.Township, Access.Admin, m, c => Drain(c.SnapshotLedger(new SnapshotLedgerRequest { ScopeCode = d.Township.Value })));
        Add(reporting, "SnapshotReports", d.Township, Access.Admin, r, c => Drain(c.SnapshotReports(new SnapshotReportsRequest { ScopeCode = d.Township.Value })));
        return rules;
    }

    private static async Task<Google.Protobuf.ByteString> BlankAsync(AsyncServerStreamingCall<FileChunk> call)
    {
        using (call)
        {
            var bytes = new MemoryStream();
            while (await call.ResponseStream.MoveNext(TestContext.Current.CancellationToken)) call.ResponseStream.Current.Data.WriteTo(bytes);
            return Google.Protobuf.ByteString.CopyFrom(bytes.ToArray());
        }
    }

    private static async Task DryRunBlankAsync(AsyncClientStreamingCall<ImportChunk, ImportReport> call, TemplateKind kind, string scope, Google.Protobuf.ByteString file, int year = 0)
    {
        using (call)
        {
            await call.RequestStream.WriteAsync(new ImportChunk { Kind = kind, ScopeCode = scope, CampaignYear = year, DryRun = true, FileName = "空白模板.xlsx", Data = file });
            await call.RequestStream.CompleteAsync();
            await call;
        }
    }

    private static async Task Drain<T>(AsyncServerStreamingCall<T> call)
    {
        using (call)
            while (await call.ResponseStream.MoveNext(TestContext.Current.CancellationToken)) { }
    }

    /// <summary>An import answers per row; a row outside the caller's units counts as denied.</summary>
    private static async Task ImportAsync(OrganizationService.OrganizationServiceClient client, string code)
    {
        using var call = client.ImportUnits();
        try
        {
            await call.RequestStream.WriteAsync(new ImportUnitRow { Line = 1, Code = code, Name = "矩阵导入村" });
            await call.RequestStream.CompleteAsync();
        }
        catch (RpcException)
        {
            // The server refused before reading the rows; its status is the call's answer, read below.
        }
        var result = await call.ResponseAsync;
        if (result.Errors.Count > 0)
            throw new RpcException(new Status(StatusCode.PermissionDenied, "row refused: " + string.Join("; ", result.Errors.Select(e => $"{e.Field} {e.Reason}"))));
    }

    /// <summary>A dry run of a one-row 单位名单 CSV: it writes nothing, so every allowed caller sees the same state.</summary>
    private static async Task ImportWorkbookAsync(OrganizationService.OrganizationServiceClient client, string scope, string code)
    {
        using var call = client.ImportWorkbook();
        try
        {
            await call.RequestStream.WriteAsync(new ImportChunk
            {
                Kind = TemplateKind.Units, ScopeCode = scope, DryRun = true, FileName = "矩阵.csv",
                Data = Google.Protobuf.ByteString.CopyFromUtf8($"{code},矩阵导入村\n"),
            });
            await call.RequestStream.CompleteAsync();
        }
        catch (RpcException)
        {
            // The server refused before reading the file; its status is the call's answer, read below.
        }
        await call.ResponseAsync;
    }

    /// <summary>The demo county's real records the matrix calls about, and where the callers stand.</summary>
    private sealed class Demo
    {
        public static readonly OrgCode City = OrgCode.Parse("360700000000");
        /// <summary>A sibling county in the demo's city, and a county in another city with a township and a village: registered by the test.</summary>
        public static readonly OrgCode SiblingCounty = OrgCode.Parse("360732000000");
        public static readonly OrgCode OtherCity = OrgCode.Parse("360800000000");
        public static readonly OrgCode OtherCounty = OrgCode.Parse("360821000000");
        public static readonly OrgCode OtherTownship = OrgCode.Parse("360821100000");
        public static readonly OrgCode OtherVillage = OrgCode.Parse("360821100201");
        /// <summary>A category of the demo county's own, which the matrix overrides, retires and restores.</summary>
        public const string CountyCategory = "MATRIX_COUNTY_OWN";
        /// <summary>A township clerk who signs in, an account the admins manage, and their password.</summary>
        public const string Person = "matrix.person";
        public const string Managed = "matrix.managed";
        public const string Password = "Matrix-Password-1";

        public OrgCode County { get; } = OrgCode.Parse(Rectify.Organizations.Demo.DemoCounty.CountyCode);
        /// <summary>贡江镇 and its target 马坑村, whose plan and measures the demo filled in.</summary>
        public OrgCode Township { get; } = OrgCode.Parse("360731100000");
        public OrgCode Village { get; } = OrgCode.Parse("360731100205");
        public OrgCode SiblingTownship { get; private set; }
        /// <summary>A village of 贡江镇 that is not a target.</summary>
        public OrgCode PlainVillage { get; } = OrgCode.Parse("360731100201");
        /// <summary>新陂乡's 禾坑村: a target the demo leaves without a plan.</summary>
        public OrgCode UnplannedTarget { get; } = OrgCode.Parse("360731203210");
        public OrgCode Inbox { get; private set; }
        public DateOnly Today { get; private set; }
        public Campaign Campaign { get; private set; } = null!;
        public DateOnly CampaignStartsOn { get; private set; }
        public DateOnly CampaignEndsOn { get; private set; }
        public Plan Plan { get; private set; } = null!;
        public string MeasureId { get; private set; } = "";
        public string EvidenceId { get; private set; } = "";
        public int ProfileYear { get; private set; }
        public PartyOrganizationProfile Profile { get; private set; } = null!;
        public string LockedAssignmentId { get; private set; } = "";
        public string ContactId { get; private set; } = "";
        public string NotificationId { get; private set; } = "";
        public string ClientId { get; private set; } = "";
        private readonly Dictionary<OrgCode, List<OrgCode>> _children = [];

        public static async Task<Demo> LoadAsync(TestHost host)
        {
            var d = new Demo { Today = host.Clock.Today() };
            var system = host.As(OrgCode.Nation.Value, Role.Service, "matrix-setup");
            var units = new OrganizationService.OrganizationServiceClient(system);
            foreach (var (code, name) in new[] { (SiblingCounty, "兴国县"), (OtherCity, "吉安市"), (OtherCounty, "吉安县"), (OtherTownship, "敦厚镇"), (OtherVillage, "矩阵村") })
                await units.RegisterUnitAsync(new RegisterUnitRequest { Code = code.Value, Name = name });
            foreach (var parent in new[] { City, d.County, d.Township, OrgCode.Parse("360731203000") })
                d._children[parent] = (await units.ListChildrenAsync(new ListChildrenRequest { Code = parent.Value })).Units.Select(u => OrgCode.Parse(u.Code)).ToList();
            d.SiblingTownship = d._children[d.County].First(c => c != d.Township);

            var assessment = new AssessmentService.AssessmentServiceClient(system);
            d.Campaign = (await assessment.ListCampaignsAsync(new ListCampaignsRequest { CountyCode = d.County.Value })).Campaigns.Single();
            d.CampaignStartsOn = new DateOnly(d.Campaign.Year, 1, 1);
            d.CampaignEndsOn = d.Campaign.Settings.EndsOn.TryToDateOnly(out var ends) ? ends : throw new InvalidOperationException("the campaign has no end");

            var measures = new MeasureService.MeasureServiceClient(system);
            d.Plan = await measures.GetPlanAsync(new GetPlanRequest { VillageYear = new VillageYear { VillageCode = d.Village.Value, CampaignYear = d.Campaign.Year } });
            d.MeasureId = d.Plan.Problems.SelectMany(p => p.Measures).First().Id;
            var photo = Rectify.Tests.Measures.TestPhotos.Jpeg(80, 60, seed: 10);
            var upload = await measures.BeginEvidenceUploadAsync(new BeginEvidenceUploadRequest
                { MeasureId = d.MeasureId, FileName = "矩阵.jpg", ContentType = "image/jpeg", SizeBytes = photo.Length, Sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(photo)) });
            await measures.PutEvidenceChunkAsync(new PutEvidenceChunkRequest { UploadId = upload.UploadId, Offset = 0, Data = Google.Protobuf.ByteString.CopyFrom(photo) });
            d.EvidenceId = (await measures.CompleteEvidenceUploadAsync(new CompleteEvidenceUploadRequest { UploadId = upload.UploadId })).EvidenceId;

            d.ProfileYear = d.Today.Year;
            d.Profile = await units.GetProfileAsync(new GetProfileRequest { VillageCode = d.Village.Value, Year = d.ProfileYear });
            var assignment = await units.AddAssignmentAsync(new AddAssignmentRequest
                { VillageCode = d.Village.Value, Year = d.Today.Year, Kind = AssignmentKind.FirstSecretary, Assignee = "矩阵第一书记", Position = "第一书记" });
            d.LockedAssignmentId = assignment.Id; // 四不撤: never withdrawn before year end, so an allowed removal is refused by the rule, not by access

            var accounts = new IdentityService.IdentityServiceClient(system);
            foreach (var user in new[] { Person, Managed })
                await accounts.CreateAccountAsync(new CreateAccountRequest { UserName = user, DisplayName = "矩阵", OrgCode = d.Township.Value, Role = Identity.V1.Role.Officer, Password = Password });
            d.ClientId = (await accounts.CreateClientAsync(new CreateClientRequest { Name = "矩阵镇系统", OrgCode = d.Township.Value })).Client.ClientId;
            await new MeasureService.MeasureServiceClient(system).AddProblemCategoryAsync(new DefineProblemCategoryRequest { UnitCode = d.County.Value, Code = CountyCategory, Name = "矩阵县自定类别" });

            var notifications = new NotificationService.NotificationServiceClient(system);
            d.ContactId = (await notifications.AddContactAsync(new AddContactRequest
                { UnitCode = d.Township.Value, Name = "矩阵联系人", Kind = ChannelKind.Webhook, Url = "http://127.0.0.1:9/matrix", Secret = "matrix" })).Id;
            // The demo's first start files today's overdue reminders in the townships' inboxes; take one.
            var found = await Poll.Until(async () =>
            {
                foreach (var township in d._children[d.County])
                {
                    var inbox = await notifications.ListNotificationsAsync(new ListNotificationsRequest { UnitCode = township.Value });
                    if (inbox.Notifications.Count > 0) return inbox.Notifications[0];
                }
                throw new InvalidOperationException("no township has a notification yet");
            });
            d.Inbox = OrgCode.Parse(found.UnitCode);
            d._children[d.Inbox] = (await units.ListChildrenAsync(new ListChildrenRequest { Code = d.Inbox.Value })).Units.Select(u => OrgCode.Parse(u.Code)).ToList();
            d.NotificationId = found.Id;

            // Move to the 2nd of next month, so that last month (in which the targets were designated) is over and can be summarized.
            var next = new DateOnly(d.Today.Year, d.Today.Month, 1).AddMonths(1).AddDays(1);
            host.Clock.SetUtcNow(ShanghaiTime.StartOf(next).AddHours(9));
            d.Today = host.Clock.Today();
            return d;
        }

        /// <summary>The caller's unit for a subject at <paramref name="position"/>; null when there is none (nothing is below a village).</summary>
        public OrgCode? CallerFor(OrgCode subject, Position position) => position switch
        {
            Position.Own => subject,
            Position.Child => subject.Parent,
            Position.Parent => subject.Level == OrgLevel.Village ? null : Children(subject).First(),
            Position.Sibling => subject.Level == OrgLevel.County ? SiblingCounty : Children(subject.Parent!.Value).First(c => c != subject),
            Position.OtherCounty => subject.Level switch
            {
                OrgLevel.County => OtherCounty, OrgLevel.Township => OtherTownship, OrgLevel.Village => OtherVillage,
                _ => throw new ArgumentOutOfRangeException(nameof(subject)),
            },
            _ => throw new ArgumentOutOfRangeException(nameof(position)),
        };

        private List<OrgCode> Children(OrgCode unit) =>
            _children.TryGetValue(unit, out var children) ? children : throw new InvalidOperationException($"the matrix has not listed the children of {unit}");
    }
}
