using System.Reflection;
using System.Security.Cryptography;

namespace Vigil.WebConsole;

/// <summary>
/// The console's stylesheet and script, embedded in the <c>vigil</c> binary (no CDN, no build step) and served at
/// <c>/assets/{name}</c> with a strong ETag (SHA-256 of the content, RFC 9110 §8.8.3) so browsers revalidate cheaply.
/// </summary>
public static class ConsoleAssets
{
    private sealed record Asset(byte[] Content, string ContentType, string ETag);

    private static readonly Dictionary<string, Asset> s_assets = Load();

    /// <summary>Maps <c>GET /assets/{name}</c>; unknown names are 404.</summary>
    public static void MapConsoleAssets(this IEndpointRouteBuilder app) =>
        app.MapGet("/assets/{name}", (string name, HttpContext http) =>
        {
            if (!s_assets.TryGetValue(name, out var asset))
            {
                return Results.NotFound();
            }
            http.Response.Headers.XContentTypeOptions = "nosniff";
            http.Response.Headers.CacheControl = "no-cache";
            http.Response.Headers.ETag = asset.ETag;
            return http.Request.Headers.IfNoneMatch == asset.ETag
                ? Results.StatusCode(StatusCodes.Status304NotModified)
                : Results.Bytes(asset.Content, asset.ContentType);
        });

    private static Dictionary<string, Asset> Load()
    {
        var assembly = typeof(ConsoleAssets).Assembly;
        const string prefix = "Vigil.Console.Assets.";
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var content = copy.ToArray();
            var name = resource[prefix.Length..];
            var type = Path.GetExtension(name) switch
            {
                ".css" => "text/css; charset=utf-8",
                ".js" => "text/javascript; charset=utf-8",
                ".svg" => "image/svg+xml",
                _ => "application/octet-stream",
            };
            assets[name] = new Asset(content, type, $"\"{Convert.ToHexStringLower(SHA256.HashData(content))[..32]}\"");
        }
        return assets;
    }
}
