using FluentMigrator;
using MassTransit;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Events.Measures;
using Rectify.Events.Organizations;
using Rectify.Platform.Hosting;
using Rectify.Platform.Storage;

namespace Rectify.Tests.Replicas;

/// <summary>
/// A listener that logs every delivery it receives, before any deduplication (plain consumers, not idempotent ones),
/// so an event published twice shows as two rows with one message id.
/// </summary>
public sealed class DeliveryLogModule : ServiceModule<DeliveryLogModule>
{
    public override string Name => "deliveries";

    public override void AddServices(IServiceCollection services, IConfiguration configuration) => AddDatabase(services, configuration);

    // Temporary: an auto-deleted queue of its own, so it hears every event whatever else consumes it.
    public override void AddConsumers(IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<UnitDeliveryLog>().Endpoint(endpoint => endpoint.Temporary = true);
        bus.AddConsumer<OverdueDeliveryLog>().Endpoint(endpoint => endpoint.Temporary = true);
    }

    public override void MapEndpoints(IEndpointRouteBuilder endpoints) { }

    public static Task<(int Deliveries, int Messages)> CountAsync(Database database, string kind) =>
        database.ReadAsync(async s => (
            await s.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM delivery_log WHERE kind = @kind", new { kind }),
            await s.ExecuteScalarAsync<int>("SELECT COUNT(DISTINCT message_id) FROM delivery_log WHERE kind = @kind", new { kind })));

    internal static Task LogAsync(Database database, ConsumeContext context, string kind) =>
        database.WriteAsync(s => s.ExecuteAsync("INSERT INTO delivery_log (message_id, kind) VALUES (@id, @kind)",
            new { id = context.MessageId?.ToString() ?? "", kind }), context.CancellationToken);
}

public sealed class UnitDeliveryLog(Database<DeliveryLogModule> database) : IConsumer<UnitRegistered>
{
    public Task Consume(ConsumeContext<UnitRegistered> context) => DeliveryLogModule.LogAsync(database, context, "unit");
}

public sealed class OverdueDeliveryLog(Database<DeliveryLogModule> database) : IConsumer<MeasureOverdue>
{
    public Task Consume(ConsumeContext<MeasureOverdue> context) => DeliveryLogModule.LogAsync(database, context, "overdue");
}

[Migration(1002, "Delivery log (tests)")]
public sealed class DeliveryLogMigration : Migration
{
    // No key on purpose: a duplicate delivery shows as a second row.
    public override void Up() => Create.Table("delivery_log")
        .WithColumn("message_id").AsString(36).NotNullable()
        .WithColumn("kind").AsString(20).NotNullable();

    public override void Down() => Delete.Table("delivery_log");
}
