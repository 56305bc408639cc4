using MassTransit;
using MassTransit.UsageTracking;

namespace Rectify.Platform.Messaging;

/// <summary>
/// MassTransit 8's usage tracker posts a report to usage-tracking.masstransit.io a few minutes after the bus starts.
/// A government intranet system calls nothing it was not configured for, so this tracker, which does nothing, takes
/// its place: unlike UsageTelemetryOptions.Enabled = false, the MASSTRANSIT_USAGE_TELEMETRY variable cannot turn it back on.
/// </summary>
public sealed class NoUsageTelemetry : IUsageTracker
{
    public void PreConfigureBus<T>(T configurator, IBusRegistrationContext context) where T : IBusFactoryConfigurator { }

    public void PreConfigureRider<T>(T configurator) where T : IRiderFactoryConfigurator { }
}
