using System.CommandLine;
using Rectify.Notifications.V1;
using static Rectify.Cli.Define;

namespace Rectify.Cli;

public static class NotificationCommands
{
    private const string Service = "rectify.notifications.v1.NotificationService/";

    private static NotificationService.NotificationServiceClient Client(Ctx c) => new(c.Channel);

    public static IEnumerable<Verb> Verbs()
    {
        {
            var unit = Arg("UNIT_CODE", "the unit");
            var unread = Flag("--unread", "only unread ones");
            var kind = Text("--kind", "only this kind (measure-overdue, report-missing, …)");
            var (size, token) = IdentityCommands.Paging(50);
            yield return Rpc("inbox", "the unit's notifications, newest first", [Service + "ListNotifications"], [unit, unread, kind, size, token],
                async c => await Client(c).ListNotificationsAsync(new ListNotificationsRequest
                    { UnitCode = c.Get(unit), UnreadOnly = c.Get(unread), Kind = c.Get(kind), Page = IdentityCommands.Page(c, size, token) }, c.Headers));
        }
        {
            var id = Arg("NOTIFICATION_ID", "the notification's id");
            yield return Rpc("read", "mark a notification read", [Service + "MarkRead"], [id],
                async c => await Client(c).MarkReadAsync(new MarkRequest { NotificationId = c.Get(id) }, c.Headers));
        }
        {
            var id = Arg("NOTIFICATION_ID", "the notification's id");
            yield return Rpc("ack", "acknowledge a notification (someone is on it)", [Service + "Acknowledge"], [id],
                async c => await Client(c).AcknowledgeAsync(new MarkRequest { NotificationId = c.Get(id) }, c.Headers));
        }
        {
            var unit = Arg("UNIT_CODE", "the unit whose notifications it receives");
            var kind = Choice("--kind", "the channel", ChannelKind.Unspecified, required: true);
            var url = Text("--url", "the webhook's or robot's URL", required: true);
            var secret = Text("--secret", "the signing secret (webhook and DingTalk)");
            var quiet = Text("--quiet", "quiet hours HH:MM-HH:MM, Shanghai time (e.g. 22:00-07:00): held and sent after");
            var name = Text("--name", "a name for it (default the kind)");
            yield return Rpc("contact-add", "add a contact: a webhook, a WeCom or a DingTalk robot", [Service + "AddContact"], [unit, kind, url, secret, quiet, name],
                async c =>
                {
                    var hours = c.Get(quiet) is { Length: > 0 } q ? q.Split('-', 2) : ["", ""];
                    if (hours.Length != 2) throw new CliException($"--quiet: {c.Get(quiet)} is not HH:MM-HH:MM");
                    return await Client(c).AddContactAsync(new AddContactRequest
                    {
                        UnitCode = c.Get(unit), Kind = c.Get(kind), Url = c.Get(url), Secret = c.Get(secret), QuietFrom = hours[0], QuietUntil = hours[1],
                        Name = c.Given(name) ? c.Get(name) : c.Parse.GetResult(kind)?.Tokens.FirstOrDefault()?.Value ?? "",
                    }, c.Headers);
                });
        }
        {
            var unit = Arg("UNIT_CODE", "the unit");
            yield return Rpc("contacts", "the unit's contacts: active, failing, last error", [Service + "ListContacts"], [unit],
                async c => await Client(c).ListContactsAsync(new ListContactsRequest { UnitCode = c.Get(unit) }, c.Headers));
        }
        {
            var id = Arg("CONTACT_ID", "the contact's id (from `contacts`)");
            yield return Rpc("contact-remove", "remove a contact", [Service + "RemoveContact"], [id],
                async c => await Client(c).RemoveContactAsync(new RemoveContactRequest { ContactId = c.Get(id) }, c.Headers));
        }
        {
            // Only the options given change: each is null when left out.
            var id = Arg("CONTACT_ID", "the contact's id (from `contacts`)");
            var name = new Option<string?>("--name") { Description = "a new name" };
            var url = new Option<string?>("--url") { Description = "a new address" };
            var secret = new Option<string?>("--secret") { Description = "a new secret (empty clears it, for a WeCom robot)" };
            var quiet = new Option<string?>("--quiet") { Description = "quiet hours 22:00-07:00 (Asia/Shanghai), or none" };
            var active = new Option<bool?>("--active") { Description = "false stops deliveries to it, true starts them again" };
            yield return Rpc("contact-update", "change a contact's name, address, secret, quiet hours or activity", [Service + "UpdateContact"], [id, name, url, secret, quiet, active],
                async c =>
                {
                    var request = new UpdateContactRequest { ContactId = c.Get(id) };
                    if (c.Get(name) is { } n) request.Name = n;
                    if (c.Get(url) is { } u) request.Url = u;
                    if (c.Get(secret) is { } s) request.Secret = s;
                    if (c.Get(quiet) is { } q)
                    {
                        var range = q == "none" ? new[] { "", "" } : q.Split('-', 2);
                        (request.QuietFrom, request.QuietUntil) = range.Length == 2 ? (range[0], range[1]) : (q, "");
                    }
                    if (c.Get(active) is { } a) request.Active = a;
                    return await Client(c).UpdateContactAsync(request, c.Headers);
                });
        }
        {
            var id = Arg("CONTACT_ID", "the contact's id (from `contacts`)");
            yield return Rpc("contact-test", "send a test message now; one that gets through re-enables a failing channel", [Service + "TestContact"], [id],
                async c => await Client(c).TestContactAsync(new TestContactRequest { ContactId = c.Get(id) }, c.Headers));
        }
        {
            var unit = Arg("UNIT_CODE", "the unit");
            var notification = Text("--notification", "only this notification's deliveries");
            yield return Rpc("deliveries", "each delivery, its attempts and final state", [Service + "ListDeliveries"], [unit, notification],
                async c => await Client(c).ListDeliveriesAsync(new ListDeliveriesRequest { UnitCode = c.Get(unit), NotificationId = c.Get(notification) }, c.Headers));
        }
        yield return Rpc("digest", "send the county digests of missing reports now", [Service + "RunDigest"], [],
            async c => await Client(c).RunDigestAsync(new RunDigestRequest(), c.Headers));
    }
}
