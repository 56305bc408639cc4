using Rectify.Notifications.Contacts;
using Rectify.Notifications.Inbox;
using Rectify.Notifications.V1;
using Rectify.Platform.Errors;

namespace Rectify.Tests.Notifications;

/// <summary>The notifications service's requests parsed before anything is done: all violations at once, then non-null values.</summary>
public class NotificationInputsTests
{
    private const string Township = "360731101000";

    private static string[] Fields(Action parse) => [.. Assert.Throws<ValidationException>(parse).Violations.Select(v => v.Field)];

    [Fact]
    public void A_delivery_list_with_a_bad_unit_and_a_bad_notification_id_is_refused_with_both()
    {
        Assert.Equal(["unit_code", "notification_id"], Fields(() => ListDeliveriesInput.Parse(new ListDeliveriesRequest { UnitCode = "36", NotificationId = "x" })));
        var all = ListDeliveriesInput.Parse(new ListDeliveriesRequest { UnitCode = Township });
        Assert.Equal(Township, all.Unit.Value);
        Assert.Null(all.NotificationId);
    }

    [Fact]
    public void A_contact_change_leaves_what_it_does_not_give_and_clears_what_it_gives_empty()
    {
        var id = Guid.NewGuid().ToString();
        var rename = UpdateContactInput.Parse(new UpdateContactRequest { ContactId = id, Name = " 党建办 " });
        Assert.Equal(new UpdateContactInput(id, "党建办", null, false, null, false, null, null, null), rename);

        var clear = UpdateContactInput.Parse(new UpdateContactRequest { ContactId = id, Secret = "", QuietFrom = "", QuietUntil = "", Active = false });
        Assert.Equal(new UpdateContactInput(id, null, null, true, null, true, null, null, false), clear);
    }

    [Fact]
    public void A_contact_change_with_a_bad_id_is_answered_with_the_id_alone()
    {
        Assert.Equal(["contact_id"], Fields(() => UpdateContactInput.Parse(new UpdateContactRequest { ContactId = "x", Name = "", QuietFrom = "25:00" })));
        Assert.Equal(["name", "quiet_from", "quiet_until"],
            Fields(() => UpdateContactInput.Parse(new UpdateContactRequest { ContactId = Guid.NewGuid().ToString(), Name = "", QuietFrom = "25:00" })));
    }

    [Fact]
    public void A_new_contact_without_a_signing_secret_for_its_channel_is_refused()
    {
        Assert.Equal(["secret"], Fields(() => AddContactInput.Parse(new AddContactRequest { UnitCode = Township, Name = "办公室", Kind = ChannelKind.Dingtalk, Url = "https://oapi.dingtalk.com/robot/send" })));
        var wecom = AddContactInput.Parse(new AddContactRequest { UnitCode = Township, Name = "办公室", Kind = ChannelKind.Wecom, Url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send", QuietFrom = "22:00", QuietUntil = "07:00" });
        Assert.Equal((Township, (string?)null, "22:00", "07:00"), (wecom.Unit.Value, wecom.Secret, wecom.QuietFrom, wecom.QuietUntil));
    }
}
