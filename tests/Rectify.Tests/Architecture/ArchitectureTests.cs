using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using System.Xml.Linq;

namespace Rectify.Tests.Architecture;

/// <summary>
/// Rules of the layout, checked on what is built rather than on what is written: the dialects stay in
/// Platform/Storage, and services reach each other only over gRPC and the bus, never by project reference.
/// </summary>
public sealed class ArchitectureTests
{
    // The ADO.NET providers' namespaces (NpgsqlTypes is Npgsql's too).
    private static readonly string[] ProviderNamespaces = ["Microsoft.Data.Sqlite", "Npgsql", "NpgsqlTypes", "Microsoft.Data.SqlClient"];
    private const string StorageNamespace = "Rectify.Platform.Storage";

    /// <summary>
    /// Read from the compiled assemblies' metadata (type and member references in signatures, base types, locals and
    /// IL), not from source: a fully qualified name, a global using or an inferred type (var c = new NpgsqlConnection…)
    /// counts the same as a using directive, and comments or strings do not count at all.
    /// </summary>
    [Fact]
    public void No_database_provider_is_used_outside_Platform_Storage()
    {
        var assemblies = Directory.GetFiles(AppContext.BaseDirectory, "*.dll")
            .Where(path => Path.GetFileName(path) is var name
                && (name.StartsWith("Rectify.", StringComparison.Ordinal) || name.StartsWith("rectify", StringComparison.Ordinal))
                && name != "Rectify.Tests.dll")
            .ToList();
        Assert.Contains(assemblies, path => Path.GetFileName(path) == "Rectify.Platform.dll");
        Assert.True(assemblies.Count >= 10, $"only {assemblies.Count} Rectify assemblies found next to the tests");

        var offences = assemblies.SelectMany(ProviderUses)
            .Where(use => !InNamespace(use.Namespace, StorageNamespace))
            .Select(use => $"{use.Assembly}: {use.Type} uses {use.Provider}")
            .Distinct().Order().ToList();
        Assert.True(offences.Count == 0, "database providers outside " + StorageNamespace + ":\n" + string.Join("\n", offences));

        // The check sees the providers where they are allowed, so it would see them anywhere else.
        Assert.Contains(ProviderUses(assemblies.Single(path => Path.GetFileName(path) == "Rectify.Platform.dll")),
            use => use.Type == "Rectify.Platform.Storage.Database" && use.Provider.StartsWith("Npgsql.", StringComparison.Ordinal));
    }

    /// <summary>
    /// A service project references only the shared libraries, Rectify.Platform or Rectify.Documents (which builds on
    /// it), and through them the protos and the events; only the host (services/Rectify.Host) puts the services
    /// together. Every project under services/ and gateway/ is a service but those, the kernel, the events and the host.
    /// </summary>
    [Fact]
    public void No_service_project_references_another()
    {
        var root = RepositoryRoot();
        var projects = new[] { "services", "gateway" }
            .SelectMany(folder => Directory.GetFiles(Path.Combine(root, folder), "*.csproj", SearchOption.AllDirectories))
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .ToList();
        // Rectify.Web is the gateway's pages, not a service: only the gateway references it.
        string[] notServices = ["Rectify.Platform", "Rectify.Documents", "Rectify.Kernel", "Rectify.Events", "Rectify.Host", "Rectify.Web"];
        var services = projects.Where(path => !notServices.Contains(Path.GetFileNameWithoutExtension(path))).ToList();
        Assert.Equal(["Rectify.Assessment", "Rectify.Gateway", "Rectify.Identity", "Rectify.Measures", "Rectify.Notifications", "Rectify.Organizations", "Rectify.Reporting"],
            services.Select(Path.GetFileNameWithoutExtension).Order());

        var offences = services
            .SelectMany(path => ProjectReferences(path)
                .Where(reference => reference is not ("Rectify.Platform" or "Rectify.Documents") && !(reference == "Rectify.Web" && path.EndsWith("Rectify.Gateway.csproj", StringComparison.Ordinal)))
                .Select(reference => $"{Path.GetFileNameWithoutExtension(path)} references {reference}"))
            .ToList();
        Assert.True(offences.Count == 0, "a service may reference only Rectify.Platform or Rectify.Documents:\n" + string.Join("\n", offences));

        // The host is where they all meet.
        var host = projects.Single(path => Path.GetFileNameWithoutExtension(path) == "Rectify.Host");
        Assert.Superset(services.Select(path => Path.GetFileNameWithoutExtension(path)).ToHashSet(), ProjectReferences(host).ToHashSet());
    }

    /// <summary>
    /// A client (the CLI, and the next ones) speaks the protos and shares only the small kernel (codes, dates, roles,
    /// the import file): never a service or the platform, whose storage and bus a client must not carry.
    /// </summary>
    [Fact]
    public void The_cli_references_only_the_protos_and_the_kernel()
    {
        var root = RepositoryRoot();
        var cli = Path.Combine(root, "cli", "Rectify.Cli", "Rectify.Cli.csproj");
        Assert.Equal(["Rectify.Kernel", "Rectify.Protos"], ProjectReferences(cli).Order());
        Assert.Equal(["Rectify.Protos"], ProjectReferences(Path.Combine(root, "services", "Rectify.Kernel", "Rectify.Kernel.csproj")));
    }

    private static IEnumerable<string> ProjectReferences(string project) =>
        XDocument.Load(project).Descendants().Where(e => e.Name.LocalName == "ProjectReference")
            .Select(e => Path.GetFileNameWithoutExtension(e.Attribute("Include")!.Value.Replace('\\', '/')));

    private static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Rectify.sln"))) folder = folder.Parent;
        return folder?.FullName ?? throw new InvalidOperationException("Rectify.sln not found above " + AppContext.BaseDirectory);
    }

    private static bool InNamespace(string name, string ns) => name == ns || name.StartsWith(ns + ".", StringComparison.Ordinal);

    private sealed record Use(string Assembly, string Type, string Namespace, string Provider);

    /// <summary>Every use of a provider type by a type of this assembly (nested types count as their outermost type).</summary>
    private static List<Use> ProviderUses(string path)
    {
        using var pe = new PEReader(File.OpenRead(path));
        var md = pe.GetMetadataReader();
        var names = new TypeNames(md);
        var uses = new List<Use>();
        foreach (var handle in md.TypeDefinitions)
        {
            var type = md.GetTypeDefinition(handle);
            var outer = handle;
            while (md.GetTypeDefinition(outer).GetDeclaringType() is { IsNil: false } declaring) outer = declaring;
            var ns = md.GetString(md.GetTypeDefinition(outer).Namespace);
            var owner = names.Name(outer);
            foreach (var used in Referenced(md, pe, names, type).Where(u => ProviderNamespaces.Any(p => InNamespace(u, p))))
                uses.Add(new Use(Path.GetFileName(path), owner, ns, used));
        }
        return uses;
    }

    /// <summary>The full names of the types a type definition mentions: base, interfaces, fields, methods (signatures, locals, IL), attributes.</summary>
    private static IEnumerable<string> Referenced(MetadataReader md, PEReader pe, TypeNames names, TypeDefinition type)
    {
        var found = new List<string>();
        void Entity(EntityHandle handle) => found.AddRange(names.Of(handle));
        if (!type.BaseType.IsNil) Entity(type.BaseType);
        foreach (var i in type.GetInterfaceImplementations()) Entity(md.GetInterfaceImplementation(i).Interface);
        foreach (var a in type.GetCustomAttributes()) Entity(md.GetCustomAttribute(a).Constructor);
        foreach (var f in type.GetFields()) found.AddRange(md.GetFieldDefinition(f).DecodeSignature(names, null));
        foreach (var m in type.GetMethods())
        {
            var method = md.GetMethodDefinition(m);
            var signature = method.DecodeSignature(names, null);
            found.AddRange(signature.ReturnType);
            foreach (var p in signature.ParameterTypes) found.AddRange(p);
            foreach (var a in method.GetCustomAttributes()) Entity(md.GetCustomAttribute(a).Constructor);
            if (method.RelativeVirtualAddress == 0) continue;
            var body = pe.GetMethodBody(method.RelativeVirtualAddress);
            if (!body.LocalSignature.IsNil)
                foreach (var local in md.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(names, null)) found.AddRange(local);
            foreach (var token in Tokens(body.GetILReader())) Entity(MetadataTokens.EntityHandle(token));
        }
        return found;
    }

    private static readonly ImmutableDictionary<short, OperandType> Operands = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (OpCode)f.GetValue(null)!)
        .GroupBy(o => o.Value).ToImmutableDictionary(g => g.Key, g => g.First().OperandType);

    /// <summary>The metadata tokens in a method's IL (types, methods, fields, signatures).</summary>
    private static IEnumerable<int> Tokens(BlobReader il)
    {
        var tokens = new List<int>();
        while (il.RemainingBytes > 0)
        {
            short code = il.ReadByte();
            if (code == 0xFE) code = unchecked((short)(0xFE00 | il.ReadByte()));
            switch (Operands[code])
            {
                case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineType or OperandType.InlineTok or OperandType.InlineSig:
                    tokens.Add(il.ReadInt32());
                    break;
                case OperandType.InlineSwitch:
                    var targets = il.ReadInt32();
                    il.Offset += 4 * targets;
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    il.Offset += 8;
                    break;
                case OperandType.InlineBrTarget or OperandType.InlineI or OperandType.ShortInlineR or OperandType.InlineString:
                    il.Offset += 4;
                    break;
                case OperandType.InlineVar:
                    il.Offset += 2;
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    il.Offset += 1;
                    break;
            }
        }
        return tokens;
    }

    /// <summary>Names the types in signatures and behind tokens; a generic instance names itself and its arguments.</summary>
    private sealed class TypeNames(MetadataReader md) : ISignatureTypeProvider<IReadOnlyList<string>, object?>
    {
        public IReadOnlyList<string> Of(EntityHandle handle) => handle.Kind switch
        {
            HandleKind.TypeDefinition => [Name((TypeDefinitionHandle)handle)],
            HandleKind.TypeReference => [Name((TypeReferenceHandle)handle)],
            HandleKind.TypeSpecification => md.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(this, null),
            HandleKind.MemberReference => MemberReference((MemberReferenceHandle)handle),
            HandleKind.MethodSpecification => MethodSpecification((MethodSpecificationHandle)handle),
            HandleKind.MethodDefinition => [Name(md.GetMethodDefinition((MethodDefinitionHandle)handle).GetDeclaringType())],
            HandleKind.FieldDefinition => [Name(md.GetFieldDefinition((FieldDefinitionHandle)handle).GetDeclaringType())],
            HandleKind.StandaloneSignature => StandaloneSignature((StandaloneSignatureHandle)handle),
            _ => [],
        };

        private List<string> MemberReference(MemberReferenceHandle handle)
        {
            var member = md.GetMemberReference(handle);
            var names = new List<string>(Of(member.Parent));
            if (member.GetKind() == MemberReferenceKind.Method)
            {
                var signature = member.DecodeMethodSignature(this, null);
                names.AddRange(signature.ReturnType);
                foreach (var p in signature.ParameterTypes) names.AddRange(p);
            }
            else names.AddRange(member.DecodeFieldSignature(this, null));
            return names;
        }

        private List<string> MethodSpecification(MethodSpecificationHandle handle)
        {
            var spec = md.GetMethodSpecification(handle);
            var names = new List<string>(Of(spec.Method));
            foreach (var argument in spec.DecodeSignature(this, null)) names.AddRange(argument);
            return names;
        }

        private List<string> StandaloneSignature(StandaloneSignatureHandle handle)
        {
            var signature = md.GetStandaloneSignature(handle);
            if (signature.GetKind() != StandaloneSignatureKind.Method) return [.. signature.DecodeLocalSignature(this, null).SelectMany(l => l)];
            var method = signature.DecodeMethodSignature(this, null);
            return [.. method.ReturnType, .. method.ParameterTypes.SelectMany(p => p)];
        }

        public string Name(TypeDefinitionHandle handle)
        {
            var type = md.GetTypeDefinition(handle);
            var declaring = type.GetDeclaringType();
            return declaring.IsNil ? Join(md.GetString(type.Namespace), md.GetString(type.Name)) : Name(declaring) + "+" + md.GetString(type.Name);
        }

        private string Name(TypeReferenceHandle handle)
        {
            var type = md.GetTypeReference(handle);
            return type.ResolutionScope.Kind == HandleKind.TypeReference
                ? Name((TypeReferenceHandle)type.ResolutionScope) + "+" + md.GetString(type.Name)
                : Join(md.GetString(type.Namespace), md.GetString(type.Name));
        }

        private static string Join(string ns, string name) => ns.Length == 0 ? name : ns + "." + name;

        public IReadOnlyList<string> GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => [Name(handle)];
        public IReadOnlyList<string> GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => [Name(handle)];
        public IReadOnlyList<string> GetTypeFromSpecification(MetadataReader reader, object? context, TypeSpecificationHandle handle, byte rawTypeKind) =>
            reader.GetTypeSpecification(handle).DecodeSignature(this, context);
        public IReadOnlyList<string> GetGenericInstantiation(IReadOnlyList<string> genericType, ImmutableArray<IReadOnlyList<string>> typeArguments) =>
            [.. genericType, .. typeArguments.SelectMany(a => a)];
        public IReadOnlyList<string> GetSZArrayType(IReadOnlyList<string> elementType) => elementType;
        public IReadOnlyList<string> GetArrayType(IReadOnlyList<string> elementType, ArrayShape shape) => elementType;
        public IReadOnlyList<string> GetByReferenceType(IReadOnlyList<string> elementType) => elementType;
        public IReadOnlyList<string> GetPointerType(IReadOnlyList<string> elementType) => elementType;
        public IReadOnlyList<string> GetPinnedType(IReadOnlyList<string> elementType) => elementType;
        public IReadOnlyList<string> GetModifiedType(IReadOnlyList<string> modifier, IReadOnlyList<string> unmodifiedType, bool isRequired) => unmodifiedType;
        public IReadOnlyList<string> GetFunctionPointerType(MethodSignature<IReadOnlyList<string>> signature) =>
            [.. signature.ReturnType, .. signature.ParameterTypes.SelectMany(p => p)];
        public IReadOnlyList<string> GetGenericMethodParameter(object? context, int index) => [];
        public IReadOnlyList<string> GetGenericTypeParameter(object? context, int index) => [];
        public IReadOnlyList<string> GetPrimitiveType(PrimitiveTypeCode typeCode) => [];
    }
}
