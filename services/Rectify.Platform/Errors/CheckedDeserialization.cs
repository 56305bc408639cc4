using System.Buffers;
using System.Reflection;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Rectify.Platform.Errors;

/// <summary>
/// A request that cannot be read (a string field that is not UTF-8, a malformed message) is bad input: InvalidArgument
/// naming the field. grpc-dotnet reads a unary request before any interceptor runs and answered such a request Unknown
/// (a client stream: Internal), logging an exception as for a bug. The only hook before that read is the method's request
/// marshaller, so the services are bound here, as grpc-dotnet's own binder does, with a marshaller that reports what it
/// cannot read as an RpcException, which the call handler sends as it is.
/// </summary>
public static class CheckedDeserialization
{
    /// <summary>Replaces grpc-dotnet's binder of service methods (call after AddGrpc).</summary>
    public static IServiceCollection AddCheckedDeserialization(this IServiceCollection services)
    {
        // Only grpc-dotnet's binder: JSON transcoding has a provider of its own (it reads JSON, not protobuf).
        foreach (var binder in services.Where(d => d.ServiceType == typeof(IServiceMethodProvider<>) && d.ImplementationType?.Name.StartsWith("BinderServiceMethodProvider", StringComparison.Ordinal) == true).ToList())
            services.Remove(binder);
        services.TryAddEnumerable(Microsoft.Extensions.DependencyInjection.ServiceDescriptor.Singleton(typeof(IServiceMethodProvider<>), typeof(CheckedServiceMethodProvider<>)));
        return services;
    }

    /// <summary>The method with a request marshaller that throws InvalidArgument for a request it cannot read.</summary>
    public static Method<TRequest, TResponse> Checked<TRequest, TResponse>(Method<TRequest, TResponse> method)
        where TRequest : class where TResponse : class
    {
        var descriptor = typeof(TRequest).GetProperty("Descriptor", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) as MessageDescriptor;
        var read = method.RequestMarshaller.ContextualDeserializer;
        var marshaller = new Marshaller<TRequest>(method.RequestMarshaller.ContextualSerializer, context =>
        {
            try { return read(context); }
            catch (Exception e) when (e is InvalidProtocolBufferException or System.Text.DecoderFallbackException)
            {
                var field = descriptor is null ? null : InvalidText(context.PayloadAsReadOnlySequence().ToArray(), descriptor, "");
                throw ErrorInterceptor.ToStatus(field is null
                    ? ValidationException.For("", "the request is not a valid message of its type")
                    : ValidationException.For(field, "is not valid UTF-8 text"));
            }
        });
        return new Method<TRequest, TResponse>(method.Type, method.ServiceName, method.Name, marshaller, method.ResponseMarshaller);
    }

    /// <summary>The path of the first string field whose bytes are not UTF-8 ("villages[2].note"), or null.</summary>
    public static string? InvalidText(byte[] payload, MessageDescriptor descriptor, string prefix)
    {
        try
        {
            var input = new CodedInputStream(payload);
            var seen = new Dictionary<int, int>();
            uint tag;
            while ((tag = input.ReadTag()) != 0)
            {
                var field = descriptor.FindFieldByNumber(WireFormat.GetTagFieldNumber(tag));
                if (field is null || WireFormat.GetTagWireType(tag) != WireFormat.WireType.LengthDelimited
                    || field.FieldType is not (FieldType.String or FieldType.Message))
                {
                    input.SkipLastField();
                    continue;
                }
                var bytes = input.ReadBytes().ToByteArray();
                var path = prefix + field.Name;
                if (field.IsRepeated && !field.IsMap)
                {
                    var index = seen.GetValueOrDefault(field.FieldNumber);
                    seen[field.FieldNumber] = index + 1;
                    path += $"[{index}]";
                }
                if (field.FieldType == FieldType.String)
                {
                    if (!System.Text.Unicode.Utf8.IsValid(bytes)) return path;
                }
                else if (InvalidText(bytes, field.MessageType, path + ".") is { } inner) return inner;
            }
        }
        catch (InvalidProtocolBufferException) { /* malformed beyond this point: no field to name */ }
        return null;
    }
}

/// <summary>grpc-dotnet's BinderServiceMethodProvider and ProviderServiceBinder, with checked request marshallers.</summary>
internal sealed class CheckedServiceMethodProvider<TService> : IServiceMethodProvider<TService> where TService : class
{
    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<TService> context)
    {
        for (var type = typeof(TService); type is not null; type = type.BaseType)
        {
            if (type.GetCustomAttribute<BindServiceMethodAttribute>(inherit: false) is not { } bind) continue;
            var bindMethod = bind.BindType.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
                .FirstOrDefault(m => m.Name == bind.BindMethodName && m.GetParameters() is [var first, _] && first.ParameterType == typeof(ServiceBinderBase));
            if (bindMethod is null) return;
            var binder = new Binder(context, bindMethod.GetParameters()[1].ParameterType);
            try { bindMethod.Invoke(null, [binder, null]); }
            catch (Exception e) { throw new InvalidOperationException($"Error binding gRPC service '{typeof(TService).Name}'.", e); }
            return;
        }
    }

    private sealed class Binder(ServiceMethodProviderContext<TService> context, Type declaringType) : ServiceBinderBase
    {
        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler)
        {
            var (invoker, metadata) = Model<UnaryServerMethod<TService, TRequest, TResponse>>(method.Name, [typeof(TRequest), typeof(ServerCallContext)]);
            context.AddUnaryMethod(CheckedDeserialization.Checked(method), metadata, invoker);
        }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler)
        {
            var (invoker, metadata) = Model<ClientStreamingServerMethod<TService, TRequest, TResponse>>(method.Name, [typeof(IAsyncStreamReader<TRequest>), typeof(ServerCallContext)]);
            context.AddClientStreamingMethod(CheckedDeserialization.Checked(method), metadata, invoker);
        }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler)
        {
            var (invoker, metadata) = Model<ServerStreamingServerMethod<TService, TRequest, TResponse>>(method.Name, [typeof(TRequest), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext)]);
            context.AddServerStreamingMethod(CheckedDeserialization.Checked(method), metadata, invoker);
        }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler)
        {
            var (invoker, metadata) = Model<DuplexStreamingServerMethod<TService, TRequest, TResponse>>(method.Name, [typeof(IAsyncStreamReader<TRequest>), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext)]);
            context.AddDuplexStreamingMethod(CheckedDeserialization.Checked(method), metadata, invoker);
        }

        /// <summary>As grpc-dotnet: the override of the base method, the type's then the method's attributes (authorization), POST.</summary>
        private (TDelegate Invoker, List<object> Metadata) Model<TDelegate>(string name, Type[] parameters) where TDelegate : Delegate
        {
            var handler = Find(name, parameters) ?? throw new InvalidOperationException($"Could not find '{name}' on {typeof(TService)}.");
            var metadata = new List<object>();
            metadata.AddRange(typeof(TService).GetCustomAttributes(inherit: true));
            metadata.AddRange(handler.GetCustomAttributes(inherit: true));
            metadata.Add(new HttpMethodMetadata(["POST"], acceptCorsPreflight: true));
            return ((TDelegate)Delegate.CreateDelegate(typeof(TDelegate), handler), metadata);
        }

        private MethodInfo? Find(string name, Type[] parameters)
        {
            for (var type = typeof(TService); type is not null; type = type.BaseType)
            {
                var method = type.GetMethod(name, BindingFlags.Public | BindingFlags.Instance, binder: null, types: parameters, modifiers: null);
                if (method is null) return null;
                if (method.IsVirtual && method.GetBaseDefinition()?.DeclaringType == declaringType) return method;
            }
            return null;
        }
    }
}
