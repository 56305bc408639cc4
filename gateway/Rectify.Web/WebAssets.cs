using System.Collections.Frozen;
using System.IO.Compression;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;

namespace Rectify.Web;

/// <summary>
/// The pages' files, embedded in this assembly at build time (Rectify.Web.csproj) and served from memory: each
/// compressed once at start (Brotli and gzip), with a strong ETag. Nothing is fetched from anywhere else, and the
/// Content-Security-Policy says so to the browser: county intranets have no internet.
/// </summary>
public static class WebAssets
{
    /// <summary>Scripts, styles, images and fetches from this origin only; no inline script, no framing.</summary>
    internal const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; " +
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

    internal sealed record Asset(string ContentType, string ETag, byte[] Identity, byte[] Brotli, byte[] Gzip);

    private static readonly Lazy<FrozenDictionary<string, Asset>> All = new(Load);

    /// <summary>Maps "/" to the pages and every asset to its path; the routes are hash routes, so nothing else is needed.</summary>
    public static IEndpointRouteBuilder MapWebPages(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/", (HttpContext http) => Serve(http, "index.html"));
        endpoints.MapGet("/{**path}", (HttpContext http, string path) => Serve(http, path)).WithOrder(1000);
        return endpoints;
    }

    internal static IReadOnlyDictionary<string, Asset> Files => All.Value;

    private static IResult Serve(HttpContext http, string path)
    {
        if (!All.Value.TryGetValue(path, out var asset)) return Results.NotFound();
        var headers = http.Response.Headers;
        headers.ETag = asset.ETag;
        headers.Vary = HeaderNames.AcceptEncoding;
        headers.XContentTypeOptions = "nosniff";
        // index.html is always revalidated so a new version's scripts are picked up; the rest may be kept a short while.
        headers.CacheControl = path == "index.html" ? "no-cache" : "private, max-age=300";
        if (asset.ContentType.StartsWith("text/html", StringComparison.Ordinal))
        {
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers["Referrer-Policy"] = "no-referrer";
            headers.XFrameOptions = "DENY";
        }
        if (http.Request.Headers.IfNoneMatch == asset.ETag) return Results.StatusCode(StatusCodes.Status304NotModified);
        var accepts = http.Request.Headers.AcceptEncoding.ToString();
        if (accepts.Contains("br", StringComparison.OrdinalIgnoreCase))
        {
            headers.ContentEncoding = "br";
            return Results.Bytes(asset.Brotli, asset.ContentType);
        }
        if (accepts.Contains("gzip", StringComparison.OrdinalIgnoreCase))
        {
            headers.ContentEncoding = "gzip";
            return Results.Bytes(asset.Gzip, asset.ContentType);
        }
        return Results.Bytes(asset.Identity, asset.ContentType);
    }

    private static FrozenDictionary<string, Asset> Load()
    {
        var assembly = typeof(WebAssets).Assembly;
        var files = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames())
        {
            if (!name.StartsWith("web/", StringComparison.Ordinal)) continue;
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var bytes = copy.ToArray();
            files[name["web/".Length..]] = new Asset(ContentType(name), $"\"{Convert.ToHexStringLower(SHA256.HashData(bytes))[..32]}\"",
                bytes, Compress(bytes, s => new BrotliStream(s, CompressionLevel.SmallestSize)), Compress(bytes, s => new GZipStream(s, CompressionLevel.SmallestSize)));
        }
        return files.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static byte[] Compress(byte[] bytes, Func<Stream, Stream> compressor)
    {
        using var output = new MemoryStream();
        using (var stream = compressor(output)) stream.Write(bytes);
        return output.ToArray();
    }

    private static string ContentType(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        ".ico" => "image/x-icon",
        ".json" => "application/json; charset=utf-8",
        _ => "application/octet-stream",
    };
}
