using Rectify.Common.V1;
using Rectify.Kernel;
using Rectify.Platform;

namespace Rectify.Tests.Support;

public static class ProtoDates
{
    /// <summary>A proto date read back as a DateOnly; a missing or impossible date fails the test.</summary>
    public static DateOnly ToDateOnly(this Date? date) =>
        date is not null && date.TryToDateOnly(out var value) ? value : throw new Xunit.Sdk.XunitException($"not a date: {date}");
}
