using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Rectify.Notifications.Contacts;
using Rectify.Notifications.V1;
using Rectify.Platform.Messaging;

namespace Rectify.Notifications.Delivery;

/// <summary>
/// The three channel formats. A generic webhook gets the notification as JSON, signed with HMAC-SHA256 over
/// "{timestamp}.{body}" in X-Rectify-Signature; a WeCom group robot and a DingTalk robot get their text message
/// format, DingTalk's URL signed with timestamp + secret as its documentation prescribes.
/// </summary>
public static class Channels
{
    public static HttpRequestMessage Request(Outgoing message, DateTimeOffset now)
    {
        var row = message.First;
        switch ((ChannelKind)row.ContactKind)
        {
            case ChannelKind.Webhook:
            {
                // A notification alone keeps its own id and key; a bundle has its batch id, and every notification is in items.
                // UTF-8 bytes once: sent as they are and signed as they are.
                var body = JsonSerializer.SerializeToUtf8Bytes(new
                {
                    kind = row.Kind, unitCode = row.UnitCode, title = message.Title, text = message.Text,
                    occurrenceKey = message.IsBundle ? "" : row.OccurrenceKey, notificationId = message.IsBundle ? "" : row.NotificationId,
                    createdAt = DateTime.SpecifyKind(row.CreatedAt, DateTimeKind.Utc), count = message.Rows.Count,
                    items = message.Rows.Select(r => new { notificationId = r.NotificationId, occurrenceKey = r.OccurrenceKey, title = r.Title, text = r.Text, createdAt = DateTime.SpecifyKind(r.CreatedAt, DateTimeKind.Utc) }),
                }, Json);
                var timestamp = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
                var content = new ByteArrayContent(body);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
                var request = new HttpRequestMessage(HttpMethod.Post, row.Url) { Content = content };
                request.Headers.Add("X-Rectify-Event", row.Kind);
                request.Headers.Add("X-Rectify-Delivery", message.DeliveryId);
                request.Headers.Add("X-Rectify-Timestamp", timestamp);
                request.Headers.Add("X-Rectify-Signature", "sha256=" + Convert.ToHexStringLower(Sign(row.Secret!, timestamp, body)));
                return request;
            }
            case ChannelKind.Wecom:
                return new HttpRequestMessage(HttpMethod.Post, row.Url) { Content = RobotText(message.Text) };
            case ChannelKind.Dingtalk:
            {
                var timestamp = now.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
                var sign = WebUtility.UrlEncode(Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(row.Secret!), Encoding.UTF8.GetBytes($"{timestamp}\n{row.Secret}"))));
                var url = $"{row.Url}{(row.Url.Contains('?') ? '&' : '?')}timestamp={timestamp}&sign={sign}";
                return new HttpRequestMessage(HttpMethod.Post, url) { Content = RobotText(message.Text) };
            }
            default:
                throw new InvalidOperationException($"Unknown channel kind {row.ContactKind}.");
        }
    }

    /// <summary>HMAC-SHA256 over "{timestamp}.{body}" in one buffer, without the body as a string.</summary>
    private static byte[] Sign(string secret, string timestamp, byte[] body)
    {
        var signed = new byte[timestamp.Length + 1 + body.Length];
        var at = Encoding.ASCII.GetBytes(timestamp, signed);
        signed[at] = (byte)'.';
        body.CopyTo(signed, at + 1);
        return HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed);
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static StringContent RobotText(string text) =>
        new(JsonSerializer.Serialize(new { msgtype = "text", text = new { content = text } }, Json), Encoding.UTF8, "application/json");

    /// <summary>
    /// What an answer means: delivered, worth another try (5xx, 429, a robot's rate limit, no answer), or refused for good (4xx,
    /// a robot's other error codes).
    /// </summary>
    public static (bool Delivered, bool Retry, string? Error) Judge(int status, string body)
    {
        if (status is >= 200 and < 300)
        {
            // The robots answer 200 with {"errcode": …}; a webhook's body is its own business.
            if (body.Contains("\"errcode\"", StringComparison.Ordinal))
            {
                try
                {
                    var code = JsonDocument.Parse(body).RootElement.GetProperty("errcode").GetInt32();
                    if (code == 0) return (true, false, null);
                    return (false, code is 45009 or 130101, $"errcode {code}: {body[..Math.Min(body.Length, 200)]}");
                }
                catch (JsonException) { return (true, false, null); }
            }
            return (true, false, null);
        }
        var error = $"HTTP {status}: {body[..Math.Min(body.Length, 200)]}";
        return (false, status is >= 500 or 429 or 408, error);
    }
}
