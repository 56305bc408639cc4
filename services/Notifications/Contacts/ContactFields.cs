using Rectify.Platform.Errors;

namespace Rectify.Notifications.Contacts;

/// <summary>The checks of a contact's fields that adding and changing a contact share.</summary>
internal static class ContactFields
{
    public static string? Url(Violations v, string? text)
    {
        var url = v.Text("url", text, 1000);
        if (url is not null)
            v.Check(Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps), "url", "must be an http or https address");
        return url;
    }

    public static string? QuietTime(Violations v, string field, string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        return v.Check(QuietHours.TryParseTime(text.Trim(), out _), field, "must be a time HH:mm") ? text.Trim() : null;
    }

    /// <summary>A contact id: a GUID, as this service issues them.</summary>
    public static bool ContactId(Violations v, string? text) => v.Check(Guid.TryParse(text, out _), "contact_id", "must be a contact id");
}
