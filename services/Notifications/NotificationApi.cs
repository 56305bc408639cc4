using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Rectify.Common.V1;
using Rectify.Notifications.Contacts;
using Rectify.Notifications.Inbox;
using Rectify.Notifications.V1;
using Rectify.Platform.Errors;
using Rectify.Platform.Identity;

namespace Rectify.Notifications;

/// <summary>The gRPC face of the notifications service.</summary>
[Authorize]
public sealed class NotificationApi(ContactService contacts, InboxService inbox, DigestJob digest) : NotificationService.NotificationServiceBase
{
    public override Task<Contact> AddContact(AddContactRequest request, ServerCallContext context) => contacts.AddAsync(context.Caller(), request, context.CancellationToken);

    public override Task<ListContactsResponse> ListContacts(ListContactsRequest request, ServerCallContext context) => contacts.ListAsync(context.Caller(), request, context.CancellationToken);

    public override Task<Contact> RemoveContact(RemoveContactRequest request, ServerCallContext context) => contacts.RemoveAsync(context.Caller(), request, context.CancellationToken);

    public override Task<Contact> UpdateContact(UpdateContactRequest request, ServerCallContext context) => contacts.UpdateAsync(context.Caller(), request, context.CancellationToken);

    public override Task<TestContactResponse> TestContact(TestContactRequest request, ServerCallContext context) => contacts.TestAsync(context.Caller(), request, context.CancellationToken);

    public override Task<ListNotificationsResponse> ListNotifications(ListNotificationsRequest request, ServerCallContext context) => inbox.ListAsync(context.Caller(), request, context.CancellationToken);

    public override Task<Notification> MarkRead(MarkRequest request, ServerCallContext context) => inbox.MarkReadAsync(context.Caller(), request, context.CancellationToken);

    public override Task<Notification> Acknowledge(MarkRequest request, ServerCallContext context) => inbox.AcknowledgeAsync(context.Caller(), request, context.CancellationToken);

    public override Task<ListDeliveriesResponse> ListDeliveries(ListDeliveriesRequest request, ServerCallContext context) => inbox.ListDeliveriesAsync(context.Caller(), request, context.CancellationToken);

    public override async Task<RunDigestResponse> RunDigest(RunDigestRequest request, ServerCallContext context)
    {
        context.Caller().EnsureCountyWork("The digest");
        return new RunDigestResponse { Digests = await digest.DigestAsync(context.CancellationToken) };
    }
}
