using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Api;
using Google.Protobuf.Reflection;
using Rectify.Organizations.V1;

namespace Rectify.Gateway.Api;

/// <summary>
/// The public JSON API's OpenAPI 3 document, generated from every service's proto descriptors and their
/// google.api.http routes: the same document in every process that hosts the gateway, whichever services it hosts
/// itself (the others are reached through it, see <see cref="JsonForwarding"/>). Schemas follow the proto3 JSON mapping.
/// </summary>
public static class ApiDocument
{
    public const string Path = "/openapi/v1.json";

    /// <summary>Every Rectify proto file, from the generated reflection classes of the contracts assembly.</summary>
    public static IReadOnlyList<FileDescriptor> Files { get; } =
        [.. typeof(OrganizationService).Assembly.GetTypes()
            .Where(t => t.IsClass && t.IsAbstract && t.IsSealed && t.Name.EndsWith("Reflection", StringComparison.Ordinal))
            .Select(t => t.GetProperty("Descriptor", BindingFlags.Public | BindingFlags.Static)?.GetValue(null))
            .OfType<FileDescriptor>()
            .Where(f => f.Package.StartsWith("rectify.", StringComparison.Ordinal))
            .OrderBy(f => f.Name, StringComparer.Ordinal)];

    /// <summary>Every method with a JSON route, with the route.</summary>
    public static IEnumerable<(MethodDescriptor Method, HttpRule Rule)> Routes() =>
        from file in Files
        from service in file.Services
        from method in service.Methods
        let rule = method.GetOptions()?.GetExtension(AnnotationsExtensions.Http)
        where rule is not null && rule.PatternCase != HttpRule.PatternOneofCase.None
        select (method, rule);

    /// <summary>The rule's verb and path template.</summary>
    public static (string Verb, string Path) VerbAndPath(HttpRule rule) => rule.PatternCase switch
    {
        HttpRule.PatternOneofCase.Get => ("get", rule.Get),
        HttpRule.PatternOneofCase.Post => ("post", rule.Post),
        HttpRule.PatternOneofCase.Put => ("put", rule.Put),
        HttpRule.PatternOneofCase.Delete => ("delete", rule.Delete),
        HttpRule.PatternOneofCase.Patch => ("patch", rule.Patch),
        HttpRule.PatternOneofCase.Custom => (rule.Custom.Kind.ToLowerInvariant(), rule.Custom.Path),
        _ => throw new InvalidOperationException("no pattern"),
    };

    private static readonly Lazy<byte[]> Json = new(() => JsonSerializer.SerializeToUtf8Bytes(Build(), new JsonSerializerOptions { WriteIndented = true }));

    /// <summary>The document, built once: it depends only on the compiled contracts.</summary>
    public static byte[] Utf8 => Json.Value;

    public static JsonObject Build()
    {
        var paths = new JsonObject();
        var schemas = new SortedDictionary<string, JsonNode>(StringComparer.Ordinal);
        var pending = new Queue<MessageDescriptor>();
        var enums = new Dictionary<string, EnumDescriptor>();
        string Ref(MessageDescriptor message)
        {
            if (!schemas.ContainsKey(message.FullName)) { schemas[message.FullName] = new JsonObject(); pending.Enqueue(message); }
            return "#/components/schemas/" + message.FullName;
        }
        JsonNode FieldSchema(FieldDescriptor field)
        {
            if (field.IsMap)
                return new JsonObject { ["type"] = "object", ["additionalProperties"] = SingleSchema(field.MessageType.FindFieldByNumber(2)) };
            var single = SingleSchema(field);
            return field.IsRepeated ? new JsonObject { ["type"] = "array", ["items"] = single } : single;
        }
        JsonNode SingleSchema(FieldDescriptor field) => field.FieldType switch
        {
            FieldType.Message or FieldType.Group => MessageSchema(field.MessageType),
            FieldType.Enum => EnumRef(field.EnumType),
            _ => Scalar(field.FieldType),
        };
        JsonNode EnumRef(EnumDescriptor e)
        {
            if (!schemas.ContainsKey(e.FullName))
                schemas[e.FullName] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray([.. e.Values.Select(v => (JsonNode)JsonValue.Create(v.Name)!)]) };
            return new JsonObject { ["$ref"] = "#/components/schemas/" + e.FullName };
        }
        JsonNode MessageSchema(MessageDescriptor message) => WellKnown(message) ?? new JsonObject { ["$ref"] = Ref(message) };

        foreach (var (method, rule) in Routes())
        {
            var (verb, template) = VerbAndPath(rule);
            var pathParams = PathParameters(template);
            var operation = new JsonObject
            {
                ["operationId"] = method.Service.FullName + "." + method.Name,
                ["tags"] = new JsonArray(method.Service.FullName),
                ["summary"] = method.Service.Name + "." + method.Name,
            };
            var parameters = new JsonArray();
            foreach (var name in pathParams)
                parameters.Add(new JsonObject { ["name"] = name, ["in"] = "path", ["required"] = true, ["schema"] = FieldPathSchema(method.InputType, name) });
            if (rule.Body == "*")
                operation["requestBody"] = new JsonObject
                {
                    ["required"] = true,
                    ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = MessageSchema(method.InputType) } },
                };
            else
                // Fields bound neither to the path nor the body are query parameters (top-level scalars only, as documented).
                foreach (var field in method.InputType.Fields.InFieldNumberOrder())
                    if (!pathParams.Any(p => p == field.Name || p.StartsWith(field.Name + ".", StringComparison.Ordinal)) && field.FieldType is not (FieldType.Message or FieldType.Group))
                        parameters.Add(new JsonObject { ["name"] = field.JsonName, ["in"] = "query", ["schema"] = FieldSchema(field) });
            if (parameters.Count > 0) operation["parameters"] = parameters;
            operation["responses"] = new JsonObject
            {
                ["200"] = new JsonObject
                {
                    ["description"] = "OK",
                    ["content"] = method.OutputType.FullName == "google.api.HttpBody"
                        ? new JsonObject { ["*/*"] = new JsonObject { ["schema"] = new JsonObject { ["type"] = "string", ["format"] = "binary" } } }
                        : new JsonObject { ["application/json"] = new JsonObject { ["schema"] = MessageSchema(method.OutputType) } },
                },
                ["default"] = new JsonObject { ["$ref"] = "#/components/responses/Error" },
            };
            var item = paths[template] as JsonObject ?? new JsonObject();
            item[verb] = operation;
            paths[template] = item;
        }

        AddDocumentRoutes(paths, MessageSchema(Common.V1.ImportReport.Descriptor));

        while (pending.TryDequeue(out var message))
        {
            var properties = new JsonObject();
            foreach (var field in message.Fields.InFieldNumberOrder())
                properties[field.JsonName] = FieldSchema(field);
            schemas[message.FullName] = new JsonObject { ["type"] = "object", ["properties"] = properties };
        }

        var components = new JsonObject();
        foreach (var (name, schema) in schemas) components[name] = schema;
        components["google.rpc.Status"] = Status();
        return new JsonObject
        {
            ["openapi"] = "3.0.3",
            ["info"] = new JsonObject
            {
                ["title"] = "Rectify JSON API",
                ["version"] = "v1",
                ["description"] = "Every unary RPC of the Rectify services with a google.api.http route, in the proto3 JSON mapping: " +
                    "lowerCamelCase fields, 64-bit integers as strings, enums by name, Timestamps as RFC 3339 strings. " +
                    "Errors are google.rpc.Status with the HTTP status of the gRPC code. Served by the process that hosts the gateway. See docs/web.md.",
            },
            ["servers"] = new JsonArray(new JsonObject { ["url"] = "/" }),
            ["security"] = new JsonArray(new JsonObject { ["bearer"] = new JsonArray() }),
            ["paths"] = paths,
            ["components"] = new JsonObject
            {
                ["securitySchemes"] = new JsonObject
                {
                    ["bearer"] = new JsonObject { ["type"] = "http", ["scheme"] = "bearer", ["bearerFormat"] = "JWT", ["description"] = "An access token from the identity service (POST /connect/token)." },
                },
                ["responses"] = new JsonObject
                {
                    ["Error"] = new JsonObject
                    {
                        ["description"] = "The call failed: 400 bad input (field violations in details), 401 no or bad token, 403 not allowed for this role or unit, 404 not found, 409/412 conflict or precondition.",
                        ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = new JsonObject { ["$ref"] = "#/components/schemas/google.rpc.Status" } } },
                    },
                },
                ["schemas"] = components,
            },
        };
    }

    /// <summary>The gateway's own document routes (Documents/DocumentRoutes.cs): files out as bytes, a filled template in as the body.</summary>
    private static void AddDocumentRoutes(JsonObject paths, JsonNode importReport)
    {
        JsonObject Path(string name, string description) => new() { ["name"] = name, ["in"] = "path", ["required"] = true, ["description"] = description, ["schema"] = new JsonObject { ["type"] = "string" } };
        JsonObject Query(string name, string type, string description) => new() { ["name"] = name, ["in"] = "query", ["description"] = description, ["schema"] = new JsonObject { ["type"] = type } };
        JsonObject Kind() => new()
        {
            ["name"] = "kind", ["in"] = "path", ["required"] = true,
            ["schema"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray([.. Documents.DocumentRoutes.Kinds.Keys.Select(k => (JsonNode)JsonValue.Create(k)!)]) },
        };
        JsonObject File(string type, string summary, params JsonObject[] parameters) => new()
        {
            ["get"] = new JsonObject
            {
                ["operationId"] = "documents." + summary.Split(' ')[0],
                ["tags"] = new JsonArray("documents"),
                ["summary"] = summary,
                ["parameters"] = new JsonArray([.. parameters]),
                ["responses"] = new JsonObject
                {
                    ["200"] = new JsonObject
                    {
                        ["description"] = "The file, named in Content-Disposition (filename* in UTF-8)",
                        ["content"] = new JsonObject { [type] = new JsonObject { ["schema"] = new JsonObject { ["type"] = "string", ["format"] = "binary" } } },
                    },
                    ["default"] = new JsonObject { ["$ref"] = "#/components/responses/Error" },
                },
            },
        };
        const string xlsx = Rectify.Documents.FileChunks.Xlsx, docx = Rectify.Documents.FileChunks.Docx;
        // A node has one parent: each operation gets its own copies.
        JsonObject scope() => Query("scope", "string", "the unit's 12-digit code");
        JsonObject year() => Query("year", "integer", "the campaign year (default the current one)");
        paths["/v1/documents/templates/{kind}"] = File(xlsx, "template — a blank Excel template of a kind, for a unit", Kind(), scope(), year());
        paths["/v1/documents/imports/{kind}"] = new JsonObject
        {
            ["post"] = new JsonObject
            {
                ["operationId"] = "documents.import",
                ["tags"] = new JsonArray("documents"),
                ["summary"] = "import — a filled template as the body; a dry run checks and writes nothing, otherwise all rows or none",
                ["parameters"] = new JsonArray(Kind(), scope(), year(), Query("dryRun", "boolean", "check only"), Query("fileName", "string", "the file's name (.xlsx, or .csv for units)")),
                ["requestBody"] = new JsonObject
                {
                    ["required"] = true,
                    ["content"] = new JsonObject { ["application/octet-stream"] = new JsonObject { ["schema"] = new JsonObject { ["type"] = "string", ["format"] = "binary" } } },
                },
                ["responses"] = new JsonObject
                {
                    ["200"] = new JsonObject { ["description"] = "OK", ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = importReport } } },
                    ["default"] = new JsonObject { ["$ref"] = "#/components/responses/Error" },
                },
            },
        };
        paths["/v1/documents/ledgers/{code}"] = File(xlsx, "ledger — the unit's 台账 workbook (format=csv for CSV)", Path("code", "any unit"), year(), Query("format", "string", "xlsx (default) or csv"));
        paths["/v1/documents/plans/{village}/{year}"] = File(docx, "plan — a target's 整顿方案", Path("village", "the village's code"), Path("year", "the campaign year"));
        paths["/v1/documents/monthly-reports/{township}/{year}/{month}"] = File(docx, "monthly-report — a township's 月报", Path("township", "the township's code"), Path("year", "year"), Path("month", "1-12"));
        paths["/v1/documents/bulletins/{county}/{year}/{month}"] = File(docx, "bulletin — the county's 通报 to the city", Path("county", "the county's code"), Path("year", "year"), Path("month", "1-12"));
    }

    /// <summary>The names in a path template's braces: "/v1/progress/{unit_code}/{period.year}" → unit_code, period.year.</summary>
    public static IReadOnlyList<string> PathParameters(string template) =>
        [.. System.Text.RegularExpressions.Regex.Matches(template, @"\{([^}=]+)(=[^}]*)?\}").Select(m => m.Groups[1].Value)];

    private static JsonNode FieldPathSchema(MessageDescriptor message, string path)
    {
        FieldDescriptor? field = null;
        foreach (var part in path.Split('.'))
        {
            field = message.FindFieldByName(part) ?? throw new InvalidOperationException($"{message.FullName} has no field {part}");
            if (field.FieldType == FieldType.Message) message = field.MessageType;
        }
        return field!.FieldType == FieldType.Enum ? new JsonObject { ["type"] = "string" } : Scalar(field.FieldType);
    }

    private static JsonObject Scalar(FieldType type) => type switch
    {
        FieldType.Bool => new JsonObject { ["type"] = "boolean" },
        FieldType.String => new JsonObject { ["type"] = "string" },
        FieldType.Bytes => new JsonObject { ["type"] = "string", ["format"] = "byte" },
        FieldType.Double => new JsonObject { ["type"] = "number", ["format"] = "double" },
        FieldType.Float => new JsonObject { ["type"] = "number", ["format"] = "float" },
        FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 => new JsonObject { ["type"] = "integer", ["format"] = "int32" },
        FieldType.UInt32 or FieldType.Fixed32 => new JsonObject { ["type"] = "integer", ["format"] = "int64", ["minimum"] = 0 },
        // proto3 JSON: 64-bit integers are strings (JavaScript numbers would lose digits).
        FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => new JsonObject { ["type"] = "string", ["format"] = "int64" },
        FieldType.UInt64 or FieldType.Fixed64 => new JsonObject { ["type"] = "string", ["format"] = "uint64" },
        _ => throw new InvalidOperationException($"no JSON schema for {type}"),
    };

    /// <summary>The well-known types have their own JSON forms.</summary>
    private static JsonObject? WellKnown(MessageDescriptor message) => message.FullName switch
    {
        "google.protobuf.Timestamp" => new JsonObject { ["type"] = "string", ["format"] = "date-time" },
        "google.protobuf.Duration" => new JsonObject { ["type"] = "string", ["pattern"] = @"^-?\d+(\.\d+)?s$" },
        "google.protobuf.FieldMask" => new JsonObject { ["type"] = "string" },
        "google.protobuf.Empty" => new JsonObject { ["type"] = "object" },
        "google.protobuf.Struct" => new JsonObject { ["type"] = "object", ["additionalProperties"] = true },
        "google.protobuf.Value" => new JsonObject(),
        "google.protobuf.ListValue" => new JsonObject { ["type"] = "array", ["items"] = new JsonObject() },
        "google.protobuf.Any" => new JsonObject { ["type"] = "object", ["properties"] = new JsonObject { ["@type"] = new JsonObject { ["type"] = "string" } }, ["additionalProperties"] = true },
        "google.protobuf.StringValue" or "google.protobuf.BytesValue" => Nullable(Scalar(message.FullName.EndsWith("BytesValue", StringComparison.Ordinal) ? FieldType.Bytes : FieldType.String)),
        "google.protobuf.BoolValue" => Nullable(Scalar(FieldType.Bool)),
        "google.protobuf.Int32Value" => Nullable(Scalar(FieldType.Int32)),
        "google.protobuf.UInt32Value" => Nullable(Scalar(FieldType.UInt32)),
        "google.protobuf.Int64Value" => Nullable(Scalar(FieldType.Int64)),
        "google.protobuf.UInt64Value" => Nullable(Scalar(FieldType.UInt64)),
        "google.protobuf.DoubleValue" => Nullable(Scalar(FieldType.Double)),
        "google.protobuf.FloatValue" => Nullable(Scalar(FieldType.Float)),
        "google.api.HttpBody" => new JsonObject { ["type"] = "string", ["format"] = "binary" },
        _ => null,
    };

    private static JsonObject Nullable(JsonObject schema)
    {
        schema["nullable"] = true;
        return schema;
    }

    /// <summary>google.rpc.Status as the JSON routes send it; details carry e.g. google.rpc.BadRequest's field violations.</summary>
    private static JsonObject Status() => new()
    {
        ["type"] = "object",
        ["properties"] = new JsonObject
        {
            ["code"] = new JsonObject { ["type"] = "integer", ["format"] = "int32", ["description"] = "The gRPC status code (3 InvalidArgument, 5 NotFound, 7 PermissionDenied, 16 Unauthenticated, …)." },
            ["message"] = new JsonObject { ["type"] = "string" },
            ["details"] = new JsonObject
            {
                ["type"] = "array",
                ["items"] = new JsonObject
                {
                    ["type"] = "object",
                    ["description"] = "A google.protobuf.Any: \"@type\" names the detail, e.g. type.googleapis.com/google.rpc.BadRequest with fieldViolations.",
                    ["properties"] = new JsonObject
                    {
                        ["@type"] = new JsonObject { ["type"] = "string" },
                        ["fieldViolations"] = new JsonObject
                        {
                            ["type"] = "array",
                            ["items"] = new JsonObject
                            {
                                ["type"] = "object",
                                ["properties"] = new JsonObject { ["field"] = new JsonObject { ["type"] = "string" }, ["description"] = new JsonObject { ["type"] = "string" } },
                            },
                        },
                    },
                    ["additionalProperties"] = true,
                },
            },
        },
    };
}
