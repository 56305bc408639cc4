using System.Collections.Frozen;
using System.Text.Json;
using Rectify.Events;

namespace Rectify.Platform.Outbox;

/// <summary>Names outbox rows by event type and finds the type again when relaying them.</summary>
public static class EventTypes
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static readonly FrozenDictionary<string, Type> ByName = typeof(IIntegrationEvent).Assembly.GetTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IIntegrationEvent).IsAssignableFrom(t))
        .ToFrozenDictionary(NameOf);

    public static string NameOf(Type type) => type.FullName ?? type.Name;

    public static Type Resolve(string name) =>
        ByName.TryGetValue(name, out var type) ? type : throw new InvalidOperationException($"Unknown event type '{name}'.");
}
