using FluentMigrator;
using MassTransit;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Events.Organizations;
using Rectify.Platform.Hosting;
using Rectify.Platform.Messaging;
using Rectify.Platform.Storage;

namespace Rectify.Tests.Support;

/// <summary>
/// A second service for messaging tests: it keeps a log of the units it hears
/// registered, in its own database, through the platform's idempotent consumer.
/// The log has no key on purpose: a message handled twice shows as two rows.
/// </summary>
public sealed class DirectoryModule : ServiceModule<DirectoryModule>
{
    public override string Name => "directory";

    public override void AddServices(IServiceCollection services, IConfiguration configuration) => AddDatabase(services, configuration);

    // Temporary: an auto-deleted queue of its own per test host, so test runs sharing a broker never see each other's messages.
    public override void AddConsumers(IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<UnitDirectoryConsumer>().Endpoint(endpoint => endpoint.Temporary = true);
        bus.AddConsumer<OverdueLogConsumer>().Endpoint(endpoint => endpoint.Temporary = true);
    }

    public override void MapEndpoints(IEndpointRouteBuilder endpoints) { }

    public static async Task<List<string>> LoggedCodes(Database database) =>
        await database.ReadAsync(async c => (await c.QueryAsync<string>("SELECT code FROM directory_log ORDER BY code")).ToList());

    /// <summary>Waits until the log holds <paramref name="code"/>; fails naming <paramref name="what"/> after the timeout (30 s).</summary>
    public static Task WaitForAsync(Database database, string code, string what, TimeSpan? timeout = null) =>
        Poll.Until(async () => (await LoggedCodes(database)).Contains(code) ? true : throw new InvalidOperationException($"{code} not in the log"), what, timeout);
}

public sealed class UnitDirectoryConsumer(Database<DirectoryModule> database, TimeProvider clock)
    : IdempotentConsumer<DirectoryModule, UnitRegistered>(database, clock)
{
    protected override Task HandleAsync(UnitRegistered message, DbSession session) =>
        session.ExecuteAsync("INSERT INTO directory_log (code, name) VALUES (@Code, @Name)", new { message.Code, message.Name });
}

/// <summary>Logs overdue occurrences as (village code, occurrence key).</summary>
public sealed class OverdueLogConsumer(Database<DirectoryModule> database, TimeProvider clock)
    : IdempotentConsumer<DirectoryModule, Rectify.Events.Measures.MeasureOverdue>(database, clock)
{
    protected override Task HandleAsync(Rectify.Events.Measures.MeasureOverdue message, DbSession session) =>
        session.ExecuteAsync("INSERT INTO directory_log (code, name) VALUES (@code, @key)", new { code = message.Measure.VillageCode, key = message.OccurrenceKey });
}

[Migration(1001, "Directory log (tests)")]
public sealed class DirectoryMigration : Migration
{
    public override void Up() => Create.Table("directory_log")
        .WithColumn("code").AsString(12).NotNullable()
        .WithColumn("name").AsString(100).NotNullable();

    public override void Down() => Delete.Table("directory_log");
}
