using Rectify.Kernel;
using Rectify.Measures.V1;
using Rectify.Platform;
using Rectify.Platform.Errors;

namespace Rectify.Measures.Ledger;

/// <summary>
/// A ledger filter, checked: the unit whose subtree is listed, the page, a known sort, known statuses, a single-line
/// responsible person, a deadline range in order, and a campaign year (0: every year). Empty filters are null.
/// </summary>
public sealed record ListMeasuresInput(OrgCode Scope, Paging Page, MeasureSort Sort, IReadOnlyList<MeasureStatus> Statuses, bool OverdueOnly,
    string? CategoryCode, string? ResponsiblePerson, DateOnly? DeadlineFrom, DateOnly? DeadlineTo, int CampaignYear)
{
    /// <summary>Collects every violation of the request at once (InvalidArgument with field details), or returns it valid.</summary>
    public static ListMeasuresInput Parse(ListMeasuresRequest request, DateOnly today)
    {
        var v = new Violations();
        var scope = v.Code("scope_code", request.ScopeCode);
        var page = v.Page(request.Page, LedgerQueries.DefaultPageSize, LedgerQueries.MaxPageSize);
        v.Check(Enum.IsDefined(request.Sort), "sort", "is not a known sort order");
        if (request.Statuses.Count > 0)
            v.Check(request.Statuses.All(s => Enum.IsDefined(s) && s != MeasureStatus.Unspecified), "statuses", "lists an unknown status");
        var person = v.Text("responsible_person", request.ResponsiblePerson, 50, required: false);
        var from = v.Date("deadline_from", request.DeadlineFrom, required: false);
        var to = v.Date("deadline_to", request.DeadlineTo, required: false);
        if (to is { } t) v.Check(from is null || from <= t, "deadline_to", "must not be before deadline_from");
        LedgerQueries.CampaignYear(v, "campaign_year", request.CampaignYear, today);
        v.ThrowIfAny();
        // As before: any category text given filters, trimmed.
        var category = string.IsNullOrEmpty(request.CategoryCode) ? null : request.CategoryCode.Trim();
        return new(scope!.Value, page, request.Sort, [.. request.Statuses], request.OverdueOnly, category, person, from, to, request.CampaignYear);
    }
}
