using Rectify.Common.V1;
using Rectify.Kernel;
using Rectify.Platform;

namespace Rectify.Tests.Platform;

public class OrgCodeTests
{
    [Theory]
    [InlineData("360000000000", OrgLevel.Province, null)]
    [InlineData("360700000000", OrgLevel.City, "360000000000")]
    [InlineData("360731000000", OrgLevel.County, "360700000000")]
    [InlineData("360731101000", OrgLevel.Township, "360731000000")]
    [InlineData("360731101201", OrgLevel.Village, "360731101000")]
    [InlineData("110101001001", OrgLevel.Village, "110101001000")]
    public void Level_and_parent_follow_from_the_digits(string text, OrgLevel level, string? parent)
    {
        var code = OrgCode.Parse(text);
        Assert.Equal(level, code.Level);
        Assert.Equal(parent, code.Parent?.Value);
    }

    [Theory]
    [InlineData("", "is required")]
    [InlineData("36073110120", "must be 12 digits")]
    [InlineData("3607311012011", "must be 12 digits")]
    [InlineData("36073110120a", "digits only")]
    [InlineData("360000101000", "below a zero segment")]
    [InlineData("360731000201", "below a zero segment")]
    public void Malformed_codes_are_refused_with_a_reason(string text, string reason)
    {
        Assert.False(OrgCode.TryParse(text, out _, out var error));
        Assert.Contains(reason, error);
    }

    [Fact]
    public void A_subtree_is_the_range_of_codes_sharing_the_prefix()
    {
        var county = OrgCode.Parse("360731000000");
        Assert.Equal(("360731000000", "360731999999"), county.SubtreeRange);
        Assert.True(county.IsAncestorOrSelfOf(OrgCode.Parse("360731101201")));
        Assert.True(county.IsAncestorOrSelfOf(county));
        Assert.False(county.IsStrictAncestorOf(county));
        Assert.False(county.IsAncestorOrSelfOf(OrgCode.Parse("360732101201")));
        Assert.False(OrgCode.Parse("360731101201").IsAncestorOrSelfOf(county));
        Assert.True(OrgCode.Nation.IsAncestorOrSelfOf(county));
    }

    [Fact]
    public void The_number_in_the_county_is_the_township_and_village_digits()
    {
        Assert.Equal(101201, OrgCode.Parse("360731101201").NumberInCounty);
        Assert.Equal(101000, OrgCode.Parse("360731101000").NumberInCounty);
        Assert.Equal(0, OrgCode.Parse("360731000000").NumberInCounty);
    }
}
