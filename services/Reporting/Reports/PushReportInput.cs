using Rectify.Common.V1;
using Rectify.Kernel;
using Rectify.Platform;
using Rectify.Platform.Errors;
using Rectify.Reporting.V1;

namespace Rectify.Reporting.Reports;

/// <summary>A township's report push, checked: its request id, the township, a month open for a draft or a submission, and well-formed village entries.</summary>
public sealed record PushReportInput(string RequestId, OrgCode Township, Month Period, bool Submit, IReadOnlyList<VillageEntry> Villages)
{
    private const int MaxTextLength = 4000;

    /// <summary>Collects every violation of the request at once (InvalidArgument with field details), or returns it valid.</summary>
    public static PushReportInput Parse(PushReportRequest request, ReportingCalendar calendar, DateOnly today)
    {
        var v = new Violations();
        var requestId = v.Text("client_request_id", request.ClientRequestId, 64);
        var township = v.Code("township_code", request.TownshipCode);
        if (township is { } t) v.Check(t.Level == OrgLevel.Township, "township_code", "must be a township's code");
        var month = Month.From(v, "period", request.Period);
        // The period rule (ReportingCalendar): drafts from the month's first day, submissions once it is over; the lock is checked with the exception, in the service.
        if (month is { } m)
            switch (request.Submit ? calendar.ForSubmission(m, today, null) : calendar.ForDraft(m, today, null))
            {
                case PeriodOpening.InFuture: v.Add("period", $"{m} is in the future"); break;
                case PeriodOpening.NotOver:
                    v.Add("period", $"{m} is not over yet: keep it as a draft (submit = false) and submit it from {ReportingCalendar.SubmissionsOpenOn(m):yyyy-MM-dd}");
                    break;
            }
        var seen = new HashSet<string>();
        for (var i = 0; i < request.Villages.Count; i++)
        {
            var entry = request.Villages[i];
            if (v.Code($"villages[{i}].village_code", entry.VillageCode) is { } code)
                v.Check(seen.Add(code.Value), $"villages[{i}].village_code", "appears twice in the report");
            v.Text($"villages[{i}].work_done", entry.WorkDone, MaxTextLength, required: request.Submit);
            v.Text($"villages[{i}].problems_met", entry.ProblemsMet, MaxTextLength, required: false);
            v.Text($"villages[{i}].next_month_plan", entry.NextMonthPlan, MaxTextLength, required: request.Submit);
            CheckIndicators(v, $"villages[{i}].indicators", entry.Indicators ?? new Indicators());
        }
        v.ThrowIfAny();
        return new(requestId!, township!.Value, month!.Value, request.Submit, request.Villages);
    }

    /// <summary>
    /// Most of one count a village reports for a month, and most collective income to date: far above any real village,
    /// and low enough that a township's and a county's totals (int32 counts, int64 yuan) cannot wrap round — a county
    /// would need over 200 000 village entries in one sum.
    /// </summary>
    public const int MaxCount = 10_000;
    public const long MaxYuan = 1_000_000_000_000;

    private static void CheckIndicators(Violations v, string path, Indicators i)
    {
        void InRange(long value, long max, string field) =>
            v.Check(value is >= 0 && value <= max, $"{path}.{field}", $"must be from 0 to {max}");
        InRange(i.MeetingsHeld, MaxCount, "meetings_held");
        InRange(i.Trainings, MaxCount, "trainings");
        InRange(i.MembersDeveloped, MaxCount, "members_developed");
        InRange(i.ServicesForPeople, MaxCount, "services_for_people");
        InRange(i.DisputesMediated, MaxCount, "disputes_mediated");
        InRange(i.CollectiveIncomeToDateYuan, MaxYuan, "collective_income_to_date_yuan");
    }
}
