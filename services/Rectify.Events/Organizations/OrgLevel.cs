namespace Rectify.Events.Organizations;

/// <summary>A unit's level in events, numbered as the proto's rectify.common.v1.OrgLevel (held so by a test).</summary>
public enum OrgLevel
{
    Unspecified = 0,
    Province = 1, // 省
    City = 2,     // 市
    County = 3,   // 县
    Township = 4, // 乡镇
    Village = 5,  // 村(社区)
}
