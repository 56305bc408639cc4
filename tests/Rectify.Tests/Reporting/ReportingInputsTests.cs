using Rectify.Common.V1;
using Rectify.Kernel;
using Rectify.Platform;
using Rectify.Platform.Errors;
using Rectify.Reporting.Reports;
using Rectify.Reporting.V1;

namespace Rectify.Tests.Reporting;

/// <summary>The reporting service's requests parsed before anything is done: all violations at once, then non-null values.</summary>
public class ReportingInputsTests
{
    private const string Township = "360731101000";

    private static string[] Fields(Action parse) => [.. Assert.Throws<ValidationException>(parse).Violations.Select(v => v.Field)];

    [Fact]
    public void A_return_needs_a_reason_and_an_acceptance_does_not()
    {
        var request = new ReviewReportRequest { UnitCode = Township, Period = new Period { Year = 2027, Month = 3 } };
        Assert.Equal(["reason"], Fields(() => ReviewReportInput.Parse(request, accept: false)));
        Assert.Equal(new ReviewReportInput(OrgCode.Parse(Township), new Month(2027, 3), ""), ReviewReportInput.Parse(request, accept: true));
    }

    [Fact]
    public void An_exception_for_a_month_not_over_with_a_day_outside_its_window_is_refused_with_both()
    {
        var today = new DateOnly(2027, 3, 20);
        var request = new GrantExceptionRequest { TownshipCode = Township, Period = new Period { Year = 2027, Month = 3 }, Reason = "村书记调整", Until = new Date { Year = 2029, Month = 1, Day = 1 } };
        Assert.Equal(["period", "until"], Fields(() => GrantExceptionInput.Parse(request, today)));
        request.Period = new Period { Year = 2027, Month = 2 };
        request.Until = new Date { Year = 2027, Month = 3, Day = 31 };
        Assert.Equal(new GrantExceptionInput(OrgCode.Parse(Township), new Month(2027, 2), "村书记调整", new DateOnly(2027, 3, 31)), GrantExceptionInput.Parse(request, today));
    }

    [Fact]
    public void A_county_summary_needs_a_request_id_and_a_county()
    {
        Assert.Equal(["client_request_id", "county_code"],
            Fields(() => SubmitCountySummaryInput.Parse(new SubmitCountySummaryRequest { CountyCode = Township, Period = new Period { Year = 2027, Month = 2 } }, new DateOnly(2027, 3, 2))));
    }
}
