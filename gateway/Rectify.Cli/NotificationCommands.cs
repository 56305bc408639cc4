using Google.Protobuf;
using Rectify.Notifications.V1;

namespace Rectify.Cli;

public static class NotificationCommands
{
    public const string Usage = """
        rectify-cli inbox UNIT_CODE [--unread]       the unit's notifications, newest first
        rectify-cli read NOTIFICATION_ID  |  ack NOTIFICATION_ID
        rectify-cli contact-add UNIT_CODE --kind webhook|wecom|dingtalk --url URL [--secret S] [--quiet 22:00-07:00] [--name NAME]
        rectify-cli contacts UNIT_CODE  |  deliveries UNIT_CODE
        rectify-cli digest                           send the county digests of missing reports now
        """;

    public static async Task<IMessage?> RunAsync(Call call)
    {
        var client = new NotificationService.NotificationServiceClient(call.Channel);
        var headers = call.Headers;
        return call.Command switch
        {
            "inbox" => await client.ListNotificationsAsync(new ListNotificationsRequest { UnitCode = call.Arg(1), UnreadOnly = call.Options.ContainsKey("unread") }, headers),
            "read" => await client.MarkReadAsync(new MarkRequest { NotificationId = call.Arg(1) }, headers),
            "ack" => await client.AcknowledgeAsync(new MarkRequest { NotificationId = call.Arg(1) }, headers),
            "contact-add" => await client.AddContactAsync(Contact(call), headers),
            "contacts" => await client.ListContactsAsync(new ListContactsRequest { UnitCode = call.Arg(1) }, headers),
            "deliveries" => await client.ListDeliveriesAsync(new ListDeliveriesRequest { UnitCode = call.Arg(1) }, headers),
            "digest" => await client.RunDigestAsync(new RunDigestRequest(), headers),
            _ => null,
        };
    }

    private static AddContactRequest Contact(Call call)
    {
        var quiet = call.Option("quiet").Split('-', 2);
        return new AddContactRequest
        {
            UnitCode = call.Arg(1), Name = call.Option("name", call.Option("kind")), Url = call.Option("url"), Secret = call.Option("secret"),
            Kind = Enum.Parse<ChannelKind>(call.Option("kind", "unspecified"), ignoreCase: true),
            QuietFrom = quiet.Length == 2 ? quiet[0] : "", QuietUntil = quiet.Length == 2 ? quiet[1] : "",
        };
    }
}
