using System.CommandLine;
using Grpc.Core;
using Rectify.Common.V1;
using Rectify.Measures.V1;
using static Rectify.Cli.Define;

namespace Rectify.Cli;

public static class MeasureCommands
{
    private const string Service = "rectify.measures.v1.MeasureService/";

    private static MeasureService.MeasureServiceClient Client(Ctx c) => new(c.Channel);

    public static IEnumerable<Verb> Verbs()
    {
        {
            var unit = OptionalArg("UNIT_CODE", "whose list (default your unit)");
            var active = Flag("--active", "only categories a new problem may use (not retired)");
            yield return Rpc("categories", "the unit's problem categories, where each comes from, retired or not, and the departments that help", [Service + "ListProblemCategories"], [unit, active],
                async c => await Client(c).ListProblemCategoriesAsync(new ListProblemCategoriesRequest { UnitCode = c.Get(unit), ActiveOnly = c.Get(active) }, c.Headers));
        }
        foreach (var (name, rpc, description) in new[]
        {
            ("category-add", "AddProblemCategory", "a category of the unit's own (admin)"),
            ("category-set", "OverrideProblemCategory", "override a category's name and departments for the unit's subtree (admin)"),
        })
        {
            var code = Arg("CODE", "A-Z, 0-9 and _");
            var title = Arg("NAME", "the category's name, e.g. 村级集体经济薄弱");
            var unit = Text("--unit", "the province, city or county whose subtree it is for (default your unit)");
            var departments = Many("--departments", "departments that help, separated by , or 、");
            yield return Rpc(name, description, [Service + rpc], [code, title, unit, departments], async c =>
            {
                var request = new DefineProblemCategoryRequest { UnitCode = c.Get(unit), Code = c.Get(code), Name = c.Get(title), HelpingDepartments = { Split(c.Get(departments)) } };
                return rpc == "AddProblemCategory" ? await Client(c).AddProblemCategoryAsync(request, c.Headers) : await Client(c).OverrideProblemCategoryAsync(request, c.Headers);
            });
        }
        {
            var code = Arg("CODE", "A-Z, 0-9 and _");
            var title = Arg("NAME", "the category's name");
            var departments = Many("--departments", "departments that help, separated by , or 、");
            yield return Rpc("category-put", "add a category for your own unit, or override it when it exists (admin)", [Service + "SetProblemCategory"], [code, title, departments],
                async c => await Client(c).SetProblemCategoryAsync(new ProblemCategory { Code = c.Get(code), Name = c.Get(title), HelpingDepartments = { Split(c.Get(departments)) } }, c.Headers));
        }
        foreach (var (name, retire, description) in new[] { ("category-retire", true, "no new problems with it in the unit's subtree (admin)"), ("category-restore", false, "offer it again in the unit's subtree (admin)") })
        {
            var code = Arg("CODE", "the category's code");
            var unit = Text("--unit", "the province, city or county whose subtree it is for (default your unit)");
            yield return Rpc(name, description, [Service + (retire ? "RetireProblemCategory" : "RestoreProblemCategory")], [code, unit], async c =>
            {
                var key = new ProblemCategoryKey { UnitCode = c.Get(unit), Code = c.Get(code) };
                return retire ? await Client(c).RetireProblemCategoryAsync(key, c.Headers) : await Client(c).RestoreProblemCategoryAsync(key, c.Headers);
            });
        }
        {
            var file = Arg("FILE", "a CreatePlanRequest in protobuf JSON (see the README)");
            yield return Rpc("plan-create", "write a target's plan: its problems and measures; prints the plan with its measure ids", [Service + "CreatePlan"], [file],
                async c => await Client(c).CreatePlanAsync(await Document<CreatePlanRequest>(c.Get(file)), c.Headers));
        }
        {
            var village = OptionalArg("VILLAGE_CODE", "the target village");
            var year = new Argument<int>("YEAR") { Description = "the campaign year", Arity = ArgumentArity.ZeroOrOne };
            var id = Text("--id", "the plan's id instead of village and year");
            yield return Rpc("plan", "a target's plan: problems, measures and their ids", [Service + "GetPlan"], [village, year, id],
                async c => await Client(c).GetPlanAsync(c.Get(id) is { Length: > 0 } planId ? new GetPlanRequest { PlanId = planId }
                    : new GetPlanRequest { VillageYear = new VillageYear { VillageCode = c.Get(village), CampaignYear = c.Get(year) } }, c.Headers));
        }
        {
            var plan = Arg("PLAN_ID", "the plan's id (from `plan`)");
            var problem = Arg("PROBLEM_ID", "the problem's id in that plan");
            var description = Arg("DESCRIPTION", "what is to be done");
            var persons = Many("--person", "整改责任人 (at least one; several separated by , or 、)");
            var deadline = DateOpt("--deadline", "完成时限");
            var ongoing = Flag("--ongoing", "长期坚持: kept up without an end");
            yield return Rpc("add-measure", "add a measure to a problem of a plan", [Service + "AddMeasure"], [plan, problem, description, persons, deadline, ongoing],
                async c => await Client(c).AddMeasureAsync(new AddMeasureRequest
                {
                    PlanId = c.Get(plan), ProblemId = c.Get(problem),
                    Measure = new MeasureInput { Description = c.Get(description), ResponsiblePersons = { Split(c.Get(persons)) }, Deadline = c.Get(deadline), Ongoing = c.Get(ongoing) },
                }, c.Headers));
        }
        {
            var scope = Arg("SCOPE_CODE", "any unit: the ledger of its subtree");
            var overdue = Flag("--overdue", "only overdue measures");
            var status = Choice("--status", "only measures in this status", MeasureStatus.Unspecified);
            var person = Text("--person", "only this responsible person's");
            var category = Text("--category", "only this problem category's");
            var from = DateOpt("--from", "deadline on or after");
            var to = DateOpt("--to", "deadline on or before");
            var year = Int("--year", "the campaign year (default every year)");
            var sort = Choice("--sort", "order (default by deadline)", MeasureSort.Unspecified);
            var (size, token) = IdentityCommands.Paging(50);
            yield return Rpc("ledger", "the ledger (台账): measures under a unit", [Service + "ListMeasures"], [scope, overdue, status, person, category, from, to, year, sort, size, token],
                async c =>
                {
                    var request = new ListMeasuresRequest
                    {
                        ScopeCode = c.Get(scope), OverdueOnly = c.Get(overdue), ResponsiblePerson = c.Get(person), CategoryCode = c.Get(category),
                        DeadlineFrom = c.Get(from), DeadlineTo = c.Get(to), CampaignYear = c.Get(year), Sort = c.Get(sort), Page = IdentityCommands.Page(c, size, token),
                    };
                    if (c.Given(status)) request.Statuses.Add(c.Get(status));
                    return await Client(c).ListMeasuresAsync(request, c.Headers);
                });
        }
        {
            var scope = Arg("SCOPE_CODE", "any unit");
            var year = Int("--year", "the campaign year (default every year)");
            var totalsOnly = Flag("--totals-only", "the total and each child unit only, without a row per target");
            yield return Rpc("counts", "total / completed / closed / overdue by child unit and target", [Service + "GetLedgerCounts"], [scope, year, totalsOnly],
                async c => await Client(c).GetLedgerCountsAsync(new GetLedgerCountsRequest { ScopeCode = c.Get(scope), CampaignYear = c.Get(year), TotalsOnly = c.Get(totalsOnly) }, c.Headers));
        }
        {
            var id = Arg("MEASURE_ID", "the measure's id");
            yield return Rpc("measure", "the measure and its whole history: who, when, what", [Service + "GetMeasure"], [id],
                async c => await Client(c).GetMeasureAsync(new GetMeasureRequest { MeasureId = c.Get(id) }, c.Headers));
        }
        {
            var id = Arg("MEASURE_ID", "the measure's id");
            var percent = Number("PERCENT", "0-100");
            var note = Text("--note", "what was done");
            var evidence = Many("--evidence", "a reference: a file name, a photo id, a link");
            var on = DateOpt("--on", "the day of the progress (default today)");
            yield return Rpc("progress", "record progress on a measure", [Service + "RecordProgress"], [id, percent, note, evidence, on],
                async c => await Client(c).RecordProgressAsync(new RecordProgressRequest
                    { MeasureId = c.Get(id), Percent = c.Get(percent), Note = c.Get(note), On = c.Get(on), Evidence = { c.Get(evidence) } }, c.Headers));
        }
        {
            var id = Arg("MEASURE_ID", "the measure's id");
            var note = Text("--note", "what was done");
            var evidence = Many("--evidence", "a reference: a file name, a photo id, a link");
            var occurred = DateOpt("--occurred-on", "for an ended campaign entered as history: the day it happened");
            yield return Rpc("complete", "report a measure completed (awaiting the township's verification)", [Service + "CompleteMeasure"], [id, note, evidence, occurred],
                async c => await Client(c).CompleteMeasureAsync(new CompleteMeasureRequest { MeasureId = c.Get(id), Note = c.Get(note), Evidence = { c.Get(evidence) }, OccurredOn = c.Get(occurred) }, c.Headers));
        }
        {
            var id = Arg("MEASURE_ID", "the measure's id");
            var verifier = Text("--verifier", "who verified it", required: true);
            var note = Text("--note", "what was found");
            var occurred = DateOpt("--occurred-on", "for an ended campaign entered as history: the day it happened");
            yield return Rpc("close", "verify and close (销号) a completed measure; the village itself may not", [Service + "CloseMeasure"], [id, verifier, note, occurred],
                async c => await Client(c).CloseMeasureAsync(new CloseMeasureRequest { MeasureId = c.Get(id), Verifier = c.Get(verifier), Note = c.Get(note), OccurredOn = c.Get(occurred) }, c.Headers));
        }
        {
            var id = Arg("MEASURE_ID", "the measure's id");
            var reason = Text("--reason", "why it is reopened", required: true);
            var deadline = DateOpt("--deadline", "the new deadline", required: true);
            var occurred = DateOpt("--occurred-on", "for an ended campaign entered as history: the day it happened");
            yield return Rpc("reopen", "reopen (回炉) a measure with a new deadline", [Service + "ReopenMeasure"], [id, reason, deadline, occurred],
                async c => await Client(c).ReopenMeasureAsync(new ReopenMeasureRequest { MeasureId = c.Get(id), Reason = c.Get(reason), NewDeadline = c.Get(deadline), OccurredOn = c.Get(occurred) }, c.Headers));
        }
        {
            var scope = Arg("SCOPE_CODE", "any unit");
            var format = Choice("--format", "the file's format", ExportFormat.Xlsx);
            var year = Int("--year", "the campaign year (default every year)");
            var output = Text("--out", "the file to write (default the name the server gives)");
            yield return Rpc("export", "the ledger as a workbook (or --format csv)", [Service + "ExportLedger"], [scope, format, year, output],
                async c => await DocumentCommands.SaveAsync(Client(c).ExportLedger(new ExportLedgerRequest { ScopeCode = c.Get(scope), Format = c.Get(format), CampaignYear = c.Get(year) }, c.Headers), c.Get(output), c.Cancellation));
        }
        {
            var village = Arg("VILLAGE_CODE", "the target village");
            var year = Number("YEAR", "the campaign year");
            var output = Text("--out", "the file to write (default the name the server gives)");
            yield return Rpc("export-plan", "a target's 整顿方案 as a Word document (.docx)", [Service + "ExportPlanDocument"], [village, year, output],
                async c => await DocumentCommands.SaveAsync(Client(c).ExportPlanDocument(new ExportPlanDocumentRequest { VillageCode = c.Get(village), CampaignYear = c.Get(year) }, c.Headers), c.Get(output), c.Cancellation));
        }
        {
            var id = Arg("MEASURE_ID", "the measure's id");
            var file = Arg("FILE", "a JPEG, PNG or WebP photo (at most 10 MiB)");
            yield return Rpc("evidence-upload", "upload a photo as evidence of a measure, in chunks, resuming an upload cut off before; prints its evidence id for --evidence",
                [Service + "BeginEvidenceUpload", Service + "PutEvidenceChunk", Service + "CompleteEvidenceUpload"], [id, file], async c =>
                {
                    var path = c.Get(file);
                    var photo = await File.ReadAllBytesAsync(path);
                    var type = Path.GetExtension(path).ToLowerInvariant() switch
                    {
                        ".jpg" or ".jpeg" => "image/jpeg", ".png" => "image/png", ".webp" => "image/webp",
                        var other => throw new CliException($"{path}: a photo is .jpg, .jpeg, .png or .webp, not '{other}'"),
                    };
                    var client = Client(c);
                    // Beginning the same photo again continues where the server stopped.
                    var upload = await client.BeginEvidenceUploadAsync(new BeginEvidenceUploadRequest
                    {
                        MeasureId = c.Get(id), FileName = Path.GetFileName(path), ContentType = type, SizeBytes = photo.Length,
                        Sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(photo)),
                    }, c.Headers);
                    while (upload.ReceivedBytes < photo.Length)
                    {
                        var offset = (int)upload.ReceivedBytes;
                        var chunk = Google.Protobuf.ByteString.CopyFrom(photo, offset, Math.Min(upload.ChunkBytes, photo.Length - offset));
                        upload = await client.PutEvidenceChunkAsync(new PutEvidenceChunkRequest { UploadId = upload.UploadId, Offset = offset, Data = chunk }, c.Headers);
                    }
                    return await client.CompleteEvidenceUploadAsync(new CompleteEvidenceUploadRequest { UploadId = upload.UploadId }, c.Headers);
                });
        }
        {
            var id = Arg("MEASURE_ID", "the measure's id");
            yield return Rpc("evidence-list", "a measure's photos: ids, names, sizes, who uploaded them and when", [Service + "ListEvidence"], [id],
                async c => await Client(c).ListEvidenceAsync(new ListEvidenceRequest { MeasureId = c.Get(id) }, c.Headers));
        }
        {
            var id = Arg("EVIDENCE_ID", "the photo's evidence id");
            var thumbnail = Flag("--thumbnail", "the 320-px JPEG thumbnail instead of the photo");
            var output = Text("--out", "the file to write", required: true);
            yield return Rpc("evidence-get", "save a photo (or its thumbnail) to a file", [Service + "GetEvidenceContent"], [id, thumbnail, output], async c =>
            {
                var body = await Client(c).GetEvidenceContentAsync(new GetEvidenceContentRequest { EvidenceId = c.Get(id), Thumbnail = c.Get(thumbnail) }, c.Headers);
                await File.WriteAllBytesAsync(c.Get(output), body.Data.ToByteArray());
                Console.Error.WriteLine($"wrote {body.Data.Length:N0} bytes ({body.ContentType}) to {c.Get(output)}");
                return new Google.Api.HttpBody { ContentType = body.ContentType };
            });
        }
        yield return Rpc("scan", "run the deadline scan now (due soon, overdue, escalated)", [Service + "RunDeadlineScan"], [],
            async c => await Client(c).RunDeadlineScanAsync(new RunDeadlineScanRequest(), c.Headers));
    }
}
