using System.CommandLine;
using Grpc.Core;
using Rectify.Common.V1;
using Rectify.Kernel;
using Rectify.Organizations.V1;
using static Rectify.Cli.Define;

namespace Rectify.Cli;

public static class OrganizationCommands
{
    private const string Service = "rectify.organizations.v1.OrganizationService/";

    private static OrganizationService.OrganizationServiceClient Client(Ctx c) => new(c.Channel);

    public static IEnumerable<Verb> Verbs()
    {
        {
            var file = Arg("FILE", "a CSV file: code,name,parent_code (a header line is optional, 编码,名称,上级编码 too); UTF-8 or GBK");
            yield return Rpc("import", "import units from CSV; each bad row is reported by line (exit code 1 when any)", [Service + "ImportUnits"], [file],
                async c =>
                {
                    if (!File.Exists(c.Get(file))) throw new CliException($"{c.Get(file)}: no such file");
                    TextReader reader;
                    try { reader = UnitCsv.Open(c.Get(file)); }
                    catch (InvalidDataException e) { throw new CliException($"{c.Get(file)}: {e.Message}"); }
                    using var _ = reader;
                    using var stream = Client(c).ImportUnits(c.Headers);
                    await foreach (var row in UnitCsv.ReadAsync(reader)) await stream.RequestStream.WriteAsync(row);
                    await stream.RequestStream.CompleteAsync();
                    return await stream;
                });
        }
        {
            var code = Arg("CODE", "the unit's 12-digit code");
            yield return Rpc("unit", "a unit: name, level, parent, status", [Service + "GetUnit"], [code],
                async c => await Client(c).GetUnitAsync(new GetUnitRequest { Code = c.Get(code) }, c.Headers));
        }
        {
            var code = Arg("CODE", "the unit's 12-digit code");
            var closed = Flag("--include-closed", "also closed and merged units");
            yield return Rpc("children", "a unit's children", [Service + "ListChildren"], [code, closed],
                async c => await Client(c).ListChildrenAsync(new ListChildrenRequest { Code = c.Get(code), IncludeClosed = c.Get(closed) }, c.Headers));
        }
        {
            var code = Arg("CODE", "the unit's 12-digit code");
            yield return Rpc("history", "a unit's changes: registered, renamed, closed, merged", [Service + "GetUnitHistory"], [code],
                async c => await Client(c).GetUnitHistoryAsync(new GetUnitHistoryRequest { Code = c.Get(code) }, c.Headers));
        }
        {
            var code = Arg("CODE", "the unit's 12-digit code");
            var level = Choice("--level", "only units at this level", OrgLevel.Unspecified);
            var closed = Flag("--include-closed", "also closed and merged units");
            var all = Flag("--all", "every unit at once, streamed (no pages)");
            var (size, token) = IdentityCommands.Paging(100);
            yield return Rpc("subtree", "the units under a unit, a page at a time (or --all)", [Service + "ListSubtree", Service + "StreamSubtree"], [code, level, closed, all, size, token],
                async c =>
                {
                    if (!c.Get(all))
                        return await Client(c).ListSubtreeAsync(new ListSubtreeRequest
                            { Code = c.Get(code), Level = c.Get(level), IncludeClosed = c.Get(closed), Page = IdentityCommands.Page(c, size, token) }, c.Headers);
                    using var stream = Client(c).StreamSubtree(new StreamSubtreeRequest { Code = c.Get(code), Level = c.Get(level), IncludeClosed = c.Get(closed) }, c.Headers);
                    var units = new ListUnitsResponse();
                    await foreach (var unit in stream.ResponseStream.ReadAllAsync()) units.Units.Add(unit);
                    return units;
                });
        }
        {
            var text = Arg("TEXT", "part of the name, 1-50 characters");
            var within = Text("--within", "the scope (default your unit)");
            var level = Choice("--level", "only units at this level", OrgLevel.Unspecified);
            var closed = Flag("--include-closed", "also closed and merged units");
            var (size, token) = IdentityCommands.Paging(100);
            yield return Rpc("search", "units whose name contains TEXT", [Service + "SearchUnits"], [text, within, level, closed, size, token],
                async c => await Client(c).SearchUnitsAsync(new SearchUnitsRequest
                {
                    Query = c.Get(text), WithinCode = c.Get(within), Level = c.Get(level), IncludeClosed = c.Get(closed), Page = IdentityCommands.Page(c, size, token),
                }, c.Headers));
        }
        {
            var code = Arg("CODE", "the new unit's 12-digit code");
            var name = Arg("NAME", "its name");
            var parent = Text("--parent", "its parent's code (default: the level above, from the code)");
            yield return Rpc("unit-register", "register a unit under yours", [Service + "RegisterUnit"], [code, name, parent],
                async c => await Client(c).RegisterUnitAsync(new RegisterUnitRequest { Code = c.Get(code), Name = c.Get(name), ParentCode = c.Get(parent) }, c.Headers));
        }
        {
            var code = Arg("CODE", "the unit's 12-digit code");
            var name = Arg("NEW_NAME", "the new name");
            var on = DateOpt("--on", "the day it takes effect (default today)");
            var reason = Text("--reason", "why (e.g. the decision's number)");
            yield return Rpc("unit-rename", "rename a unit; its history keeps the old name", [Service + "RenameUnit"], [code, name, on, reason],
                async c => await Client(c).RenameUnitAsync(new RenameUnitRequest { Code = c.Get(code), NewName = c.Get(name), EffectiveOn = c.Get(on), Reason = c.Get(reason) }, c.Headers));
        }
        {
            var code = Arg("CODE", "the unit's 12-digit code");
            var on = DateOpt("--on", "the day it closes (default today)");
            var reason = Text("--reason", "why");
            yield return Rpc("unit-close", "close (撤销) a unit; refused while it has open children or 四个一 not withdrawn", [Service + "CloseUnit"], [code, on, reason],
                async c => await Client(c).CloseUnitAsync(new CloseUnitRequest { Code = c.Get(code), ClosedOn = c.Get(on), Reason = c.Get(reason) }, c.Headers));
        }
        {
            var code = Arg("CODE", "the unit that ceases to exist");
            var into = Arg("INTO_CODE", "the unit that absorbs it");
            var on = DateOpt("--on", "the day it takes effect (default today)");
            var reason = Text("--reason", "why");
            yield return Rpc("unit-merge", "merge (合并) a unit into another", [Service + "MergeUnit"], [code, into, on, reason],
                async c => await Client(c).MergeUnitAsync(new MergeUnitRequest { Code = c.Get(code), IntoCode = c.Get(into), EffectiveOn = c.Get(on), Reason = c.Get(reason) }, c.Headers));
        }
        {
            var village = Arg("VILLAGE_CODE", "the village's 12-digit code");
            var year = Number("YEAR", "the year");
            yield return Rpc("profile", "a village Party organization's profile for a year", [Service + "GetProfile"], [village, year],
                async c => await Client(c).GetProfileAsync(new GetProfileRequest { VillageCode = c.Get(village), Year = c.Get(year) }, c.Headers));
        }
        foreach (var verb in ProfileSet()) yield return verb;
        {
            var village = Arg("VILLAGE_CODE", "the village's 12-digit code");
            var year = Number("YEAR", "the campaign year");
            var removed = Flag("--include-removed", "also assignments removed");
            yield return Rpc("assignments", "a village's 四个一 assignments for a year", [Service + "ListAssignments"], [village, year, removed],
                async c => await Client(c).ListAssignmentsAsync(new ListAssignmentsRequest { VillageCode = c.Get(village), Year = c.Get(year), IncludeRemoved = c.Get(removed) }, c.Headers));
        }
        {
            var village = Arg("VILLAGE_CODE", "the village's 12-digit code");
            var year = Number("YEAR", "the campaign year");
            var kind = Choice("--kind", "who is assigned (四个一, or a 党建指导员)", AssignmentKind.Unspecified, required: true);
            var assignee = Text("--assignee", "the person's or the department's name", required: true);
            var position = Text("--position", "e.g. 县人武部部长");
            var phone = Text("--phone", "a phone number");
            var on = DateOpt("--on", "the day assigned (default today)");
            yield return Rpc("assignment-add", "assign a leader, first secretary, paired department or work team to a village (四个一)", [Service + "AddAssignment"],
                [village, year, kind, assignee, position, phone, on],
                async c => await Client(c).AddAssignmentAsync(new AddAssignmentRequest
                {
                    VillageCode = c.Get(village), Year = c.Get(year), Kind = c.Get(kind), Assignee = c.Get(assignee), Position = c.Get(position), Phone = c.Get(phone), AssignedOn = c.Get(on),
                }, c.Headers));
        }
        {
            var id = Arg("ASSIGNMENT_ID", "the assignment's id (from `assignments`)");
            var reason = Text("--reason", "why; 四不撤 refuses removing a locked one while the target is under rectification", required: true);
            yield return Rpc("assignment-remove", "remove an assignment", [Service + "RemoveAssignment"], [id, reason],
                async c => await Client(c).RemoveAssignmentAsync(new RemoveAssignmentRequest { Id = c.Get(id), Reason = c.Get(reason) }, c.Headers));
        }
    }

    /// <summary>profile-set: the options given change the current profile (or a new one); --file sets it whole.</summary>
    private static IEnumerable<Verb> ProfileSet()
    {
        var village = Arg("VILLAGE_CODE", "the village's 12-digit code");
        var year = Number("YEAR", "the year");
        var file = Text("--file", "a whole PartyOrganizationProfile in protobuf JSON instead of the options");
        var type = Choice("--type", "党委, 党总支 or 党支部", PartyOrganizationType.Unspecified);
        var secretary = Text("--secretary", "支部书记's name");
        var oneShoulder = new Option<bool?>("--one-shoulder") { Description = "the secretary is also the committee director (一肩挑): true or false" };
        var committee = MaybeInt("--committee", "两委班子 seats");
        var vacancies = MaybeInt("--vacancies", "seats vacant");
        var members = MaybeInt("--members", "党员");
        var women = MaybeInt("--women", "女性党员");
        var ages = Text("--ages", "members by age as the document reports them: ≤30,31-40,41-45,46-60,>60 (e.g. 2,5,3,12,10)");
        var households = MaybeInt("--households", "户");
        var population = MaybeInt("--population", "人");
        var income = new Option<long?>("--income") { Description = "村集体经营性收入, yuan" };
        yield return Rpc("profile-set", "set a village Party organization's profile for a year: the options given change it, the rest stays",
            [Service + "SetProfile", Service + "GetProfile"],
            [village, year, file, type, secretary, oneShoulder, committee, vacancies, members, women, ages, households, population, income],
            async c =>
            {
                var client = Client(c);
                PartyOrganizationProfile profile;
                if (c.Get(file) is { Length: > 0 } path) profile = await Document<PartyOrganizationProfile>(path);
                else
                {
                    try { profile = await client.GetProfileAsync(new GetProfileRequest { VillageCode = c.Get(village), Year = c.Get(year) }, c.Headers); }
                    catch (RpcException e) when (e.StatusCode == StatusCode.NotFound) { profile = new PartyOrganizationProfile(); }
                }
                profile.VillageCode = c.Get(village);
                profile.Year = c.Get(year);
                profile.UpdatedBy = "";
                profile.UpdatedAt = null;
                if (c.Given(type)) profile.OrganizationType = c.Get(type);
                if (c.Given(secretary)) profile.SecretaryName = c.Get(secretary);
                if (c.Get(oneShoulder) is { } both) profile.SecretaryIsDirector = both;
                if (c.Get(committee) is { } seats) profile.CommitteeSize = seats;
                if (c.Get(vacancies) is { } vacant) profile.CommitteeVacancies = vacant;
                if (c.Get(members) is { } count) profile.Members = count;
                if (c.Get(women) is { } womenCount) profile.WomenMembers = womenCount;
                if (c.Get(households) is { } households_) profile.Households = households_;
                if (c.Get(population) is { } people) profile.Population = people;
                if (c.Get(income) is { } yuan) profile.CollectiveOperatingIncomeYuan = yuan;
                if (c.Given(ages))
                {
                    var brackets = Split([c.Get(ages)]).Select(a => int.TryParse(a, out var n) ? n : throw new CliException($"--ages: {a} is not a number")).ToList();
                    if (brackets.Count != 5) throw new CliException("--ages needs five counts: ≤30,31-40,41-45,46-60,>60");
                    profile.MemberAges = new MemberAges { Age30OrUnder = brackets[0], Age31To40 = brackets[1], Age41To45 = brackets[2], Age46To60 = brackets[3], AgeOver60 = brackets[4] };
                }
                return await client.SetProfileAsync(new SetProfileRequest { Profile = profile }, c.Headers);
            });
    }
}
