using System.Reflection;
using MassTransit;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Platform.Messaging;
using Rectify.Platform.Outbox;
using Rectify.Platform.Storage;

namespace Rectify.Platform.Hosting;

/// <summary>
/// A Rectify service as the host sees it: its DI registrations, its consumers,
/// its gRPC endpoints, its database and migrations, and its demo data. The
/// standalone host loads every module into one process; the distributed
/// deployment runs one module per process. The code path is the same.
/// </summary>
public abstract class ServiceModule
{
    /// <summary>Lower-case name: the connection string key, the SQLite file name, the health check name.</summary>
    public abstract string Name { get; }

    public Assembly Assembly => GetType().Assembly;

    public abstract void AddServices(IServiceCollection services, IConfiguration configuration);

    public virtual void AddConsumers(IBusRegistrationConfigurator bus) { }

    public abstract void MapEndpoints(IEndpointRouteBuilder endpoints);

    public abstract Database GetDatabase(IServiceProvider services);

    /// <summary>Runs after the module's migrations, before the process serves or consumes anything (e.g. to load a cache).</summary>
    public virtual Task InitializeAsync(IServiceProvider services, CancellationToken ct) => Task.CompletedTask;

    /// <summary>Loads the demo data if the service holds none yet; must be safe to call on every start.</summary>
    public virtual Task SeedDemoAsync(IServiceProvider services, CancellationToken ct) => Task.CompletedTask;
}

/// <summary>A module whose database is typed by the module, so several can live in one container.</summary>
public abstract class ServiceModule<TSelf> : ServiceModule where TSelf : ServiceModule<TSelf>
{
    public override Database GetDatabase(IServiceProvider services) => services.GetRequiredService<Database<TSelf>>();

    /// <summary>Registers the module's database (from configuration), its outbox relay and its health check.</summary>
    protected void AddDatabase(IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(RectifyOptions.Section).Get<RectifyOptions>() ?? new RectifyOptions();
        var provider = options.Storage.Provider;
        var connectionString = configuration.GetConnectionString(Name)
            ?? (provider == DbProvider.Sqlite
                ? $"Data Source={Path.Combine(options.DataDirectory, Name + ".db")}"
                : throw new InvalidOperationException($"ConnectionStrings:{Name} is required for {provider}."));
        services.AddSingleton(new Database<TSelf>(Name, provider, connectionString, options.Storage));
        services.AddHostedService<OutboxRelay<TSelf>>();
        services.AddSingleton<OutboxRetention<TSelf>>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxRetention<TSelf>>());
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck<TSelf>>(Name);
    }
}
