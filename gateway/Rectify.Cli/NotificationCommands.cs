using Google.Protobuf;
using Rectify.Notifications.V1;

namespace Rectify.Cli;

public static class NotificationCommands
{
    public const string Usage = """
        rectify-cli inbox UNIT_CODE [--unread]       the unit's notifications, newest first
        rectify-cli read NOTIFICATION_ID  |  ack NOTIFICATION_ID
        rectify-cli contact-add UNIT_CODE --kind webhook|wecom|dingtalk --url URL [--secret S] [--quiet 22:00-07:00] [--name NAME]
        rectify-cli contact-update CONTACT_ID [--name NAME] [--url URL] [--secret S] [--quiet 22:00-07:00|none] [--active true|false]
        rectify-cli contact-test CONTACT_ID            send a test message; a success re-enables a failing channel
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
            "contact-update" => await client.UpdateContactAsync(ContactUpdate(call), headers),
            "contact-test" => await client.TestContactAsync(new TestContactRequest { ContactId = call.Arg(1) }, headers),
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

    /// <summary>Only the options given change; `--quiet none` clears the quiet hours.</summary>
    private static UpdateContactRequest ContactUpdate(Call call)
    {
        var request = new UpdateContactRequest { ContactId = call.Arg(1) };
        if (call.Options.TryGetValue("name", out var name)) request.Name = name;
        if (call.Options.TryGetValue("url", out var url)) request.Url = url;
        if (call.Options.TryGetValue("secret", out var secret)) request.Secret = secret;
        if (call.Options.TryGetValue("quiet", out var quiet))
        {
            var range = quiet == "none" ? ["", ""] : quiet.Split('-', 2);
            (request.QuietFrom, request.QuietUntil) = range.Length == 2 ? (range[0], range[1]) : (quiet, "");
        }
        if (call.Options.TryGetValue("active", out var active))
            request.Active = bool.TryParse(active, out var on) ? on : throw new ArgumentException("--active takes true or false");
        return request;
    }
}
