using Grpc.Core;
using Rectify.Kernel;
using Rectify.Organizations.V1;
using Rectify.Platform.Identity;
using Rectify.Platform.Storage;
using Rectify.Tests.Support;

namespace Rectify.Tests.Organizations;

/// <summary>
/// Age brackets are counts of the members in each bracket the document reports: seed 001 gives three brackets
/// (30 and under 3, 31–40 5, 41–45 4) of its 34 (elsewhere 36) members. Their sum may fall below the members, never above.
/// </summary>
public sealed class ProfileBracketsTests
{
    private const string Village = "360731101201";

    private static PartyOrganizationProfile Seed001(int members) => new()
    {
        VillageCode = Village, Year = 2022, OrganizationType = PartyOrganizationType.Branch, SecretaryName = "***",
        SecretaryIsDirector = true, Members = members, WomenMembers = 4,
        MemberAges = new MemberAges { Age30OrUnder = 3, Age31To40 = 5, Age41To45 = 4 },
        Households = 301, Population = 1045, CollectiveOperatingIncomeYuan = 5_000,
    };

    [Theory]
    [InlineData(DbProvider.Sqlite)]
    [InlineData(DbProvider.Postgres)]
    public async Task Age_brackets_may_add_up_to_less_than_the_members_never_more(DbProvider provider)
    {
        await using var host = await TestHost.StartAsync(provider, [new Rectify.Organizations.OrganizationsModule()]);
        using (var call = host.Organizations("000000000000", Role.Service).ImportUnits())
        {
            foreach (var (code, name, parent) in new[] { ("360000000000", "江西省", ""), ("360700000000", "赣州市", "360000000000"), ("360731000000", "于都县", "360700000000"),
                         ("360731101000", "**镇", "360731000000"), (Village, "**村", "360731101000") })
                await call.RequestStream.WriteAsync(new ImportUnitRow { Code = code, Name = name, ParentCode = parent });
            await call.RequestStream.CompleteAsync();
            Assert.Empty((await call).Errors);
        }
        var township = host.Organizations("360731101000", subject: "**镇党委");

        // The document's own figures: 12 members in the brackets it reports, of 34 (基本情况) or 36 (问题分析).
        var saved = await township.SetProfileAsync(new SetProfileRequest { Profile = Seed001(34) });
        Assert.Equal((34, 3, 5, 4, 0, 0), (saved.Members, saved.MemberAges.Age30OrUnder, saved.MemberAges.Age31To40, saved.MemberAges.Age41To45, saved.MemberAges.Age46To60, saved.MemberAges.AgeOver60));
        var read = await township.GetProfileAsync(new GetProfileRequest { VillageCode = Village, Year = 2022 });
        var expected = Seed001(34);
        expected.UpdatedBy = read.UpdatedBy;
        expected.UpdatedAt = read.UpdatedAt;
        Assert.Equal(expected, read);
        Assert.Equal(36, (await township.SetProfileAsync(new SetProfileRequest { Profile = Seed001(36) })).Members);
        // Exactly the members is still fine.
        Assert.Equal(12, (await township.SetProfileAsync(new SetProfileRequest { Profile = Seed001(12) })).Members);

        // More members in the brackets than members: refused, and the stored year unchanged.
        var refused = await Rpc.Refused(StatusCode.InvalidArgument, () => township.SetProfileAsync(new SetProfileRequest { Profile = Seed001(11) }));
        Assert.Equal(["profile.member_ages"], refused.Fields());
        Assert.Equal(12, (await township.GetProfileAsync(new GetProfileRequest { VillageCode = Village, Year = 2022 })).Members);
    }
}
