using Rectify.Kernel;
using System.Text.Json;
using Rectify.Measures.V1;
using Rectify.Platform;
using Rectify.Platform.Storage;

namespace Rectify.Measures.Ledger;

/// <summary>A row of measure_changes: one entry of a measure's history.</summary>
public sealed class MeasureChangeRow
{
    public string MeasureId { get; set; } = "";
    public int Kind { get; set; }
    public int StatusAfter { get; set; }
    public DateOnly? OnDate { get; set; }
    public int? Percent { get; set; }
    public string? Note { get; set; }
    /// <summary>JSON array of evidence references.</summary>
    public string? Evidence { get; set; }
    public string? Verifier { get; set; }
    public DateOnly? NewDeadline { get; set; }
    public string RecordedBy { get; set; } = "";
    public DateTime RecordedAt { get; set; }

    public MeasureChange ToProto()
    {
        var (on, newDeadline) = (OnDate, NewDeadline);
        if (Kind == (int)MeasureChangeKind.Created)
        {
            // A created entry is dated the day it was recorded in Shanghai. Entries written before this rule kept the
            // deadline in on_date and nothing in new_deadline: read them the same way.
            newDeadline ??= OnDate;
            on = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(new DateTimeOffset(RecordedAt.AsUtc()), ShanghaiTime.Zone).DateTime);
        }
        var change = new MeasureChange
        {
            Kind = (MeasureChangeKind)Kind, StatusAfter = (MeasureStatus)StatusAfter, On = on?.ToProto(), Percent = Percent ?? 0,
            Note = Note ?? "", Verifier = Verifier ?? "", NewDeadline = newDeadline?.ToProto(), RecordedBy = RecordedBy,
            RecordedAt = new DateTimeOffset(RecordedAt.AsUtc()).ToProto(),
        };
        if (Evidence is not null) change.Evidence.AddRange(JsonSerializer.Deserialize<List<string>>(Evidence)!);
        return change;
    }
}
