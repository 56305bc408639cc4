using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Rectify.Notifications.Contacts;
using Rectify.Notifications.V1;
using Rectify.Platform.Messaging;

namespace Rectify.Notifications.Delivery;

/// <summary>Rings the sender when deliveries were queued.</summary>
public sealed class DeliverySignal : Doorbell;

/// <summary>What a delivery needs to go out: the notification and where to.</summary>
public sealed class OutgoingRow
{
    public string DeliveryId { get; set; } = "";
    public int Attempts { get; set; }
    public string NotificationId { get; set; } = "";
    public string Kind { get; set; } = "";
    public string UnitCode { get; set; } = "";
    public string Title { get; set; } = "";
    public string Text { get; set; } = "";
    public string OccurrenceKey { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    public string ContactId { get; set; } = "";
    public int ContactKind { get; set; }
    public string Url { get; set; } = "";
    public string? Secret { get; set; }
    public string? QuietFrom { get; set; }
    public string? QuietUntil { get; set; }
}

/// <summary>
/// The three channel formats. A generic webhook gets the notification as JSON, signed with HMAC-SHA256 over
/// "{timestamp}.{body}" in X-Rectify-Signature; a WeCom group robot and a DingTalk robot get their text message
/// format, DingTalk's URL signed with timestamp + secret as its documentation prescribes.
/// </summary>
public static class Channels
{
    public static HttpRequestMessage Request(OutgoingRow row, DateTimeOffset now)
    {
        switch ((ChannelKind)row.ContactKind)
        {
            case ChannelKind.Webhook:
            {
                var body = JsonSerializer.Serialize(new
                {
                    kind = row.Kind, unitCode = row.UnitCode, title = row.Title, text = row.Text, occurrenceKey = row.OccurrenceKey,
                    notificationId = row.NotificationId, createdAt = DateTime.SpecifyKind(row.CreatedAt, DateTimeKind.Utc),
                }, Json);
                var timestamp = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
                var request = new HttpRequestMessage(HttpMethod.Post, row.Url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
                request.Headers.Add("X-Rectify-Event", row.Kind);
                request.Headers.Add("X-Rectify-Delivery", row.DeliveryId);
                request.Headers.Add("X-Rectify-Timestamp", timestamp);
                request.Headers.Add("X-Rectify-Signature", "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(row.Secret!), Encoding.UTF8.GetBytes($"{timestamp}.{body}"))));
                return request;
            }
            case ChannelKind.Wecom:
                return new HttpRequestMessage(HttpMethod.Post, row.Url) { Content = RobotText(row.Text) };
            case ChannelKind.Dingtalk:
            {
                var timestamp = now.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
                var sign = WebUtility.UrlEncode(Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(row.Secret!), Encoding.UTF8.GetBytes($"{timestamp}\n{row.Secret}"))));
                var url = $"{row.Url}{(row.Url.Contains('?') ? '&' : '?')}timestamp={timestamp}&sign={sign}";
                return new HttpRequestMessage(HttpMethod.Post, url) { Content = RobotText(row.Text) };
            }
            default:
                throw new InvalidOperationException($"Unknown channel kind {row.ContactKind}.");
        }
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
