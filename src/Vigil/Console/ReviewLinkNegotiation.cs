using Microsoft.Net.Http.Headers;

namespace Vigil.WebConsole;

/// <summary>
/// Content negotiation (RFC 9110 §12.5.1) on the review links Vigil hands out (<c>{base}/api/reviews/{id}</c>, in
/// 42501 messages, webhooks, chat cards and <c>vigil exec</c>): a <c>GET</c> whose <c>Accept</c> prefers
/// <c>text/html</c> over JSON (a browser following the link) is redirected (303) to the console's review page
/// <c>/reviews/{id}</c>; every other client (<c>application/json</c>, <c>*/*</c>, no <c>Accept</c>) reaches the API and
/// gets JSON as before.
/// </summary>
public sealed class ReviewLinkNegotiation(RequestDelegate next)
{
    private const string Prefix = "/api/reviews/";

    /// <summary>Redirects a browser's request for a review link; passes everything else on.</summary>
    public Task InvokeAsync(HttpContext http)
    {
        var path = http.Request.Path.Value ?? "";
        if (HttpMethods.IsGet(http.Request.Method) && path.StartsWith(Prefix, StringComparison.Ordinal)
            && path.Length > Prefix.Length && path.IndexOf('/', Prefix.Length) < 0 && PrefersHtml(http.Request))
        {
            http.Response.StatusCode = StatusCodes.Status303SeeOther;
            http.Response.Headers.Location = "/reviews/" + Uri.EscapeDataString(path[Prefix.Length..]);
            http.Response.Headers.Vary = "Accept";
            return Task.CompletedTask;
        }
        return next(http);
    }

    /// <summary>
    /// True when <c>text/html</c> is acceptable and has a higher quality than <c>application/json</c> (by its own or a
    /// wildcard's weight); a tie goes to JSON, so <c>*/*</c> keeps the API's answer.
    /// </summary>
    public static bool PrefersHtml(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParseList(request.Headers.Accept, out var accepted))
        {
            return false;
        }
        double html = Quality(accepted, "text", "html"), json = Quality(accepted, "application", "json");
        return html > 0 && html > json;
    }

    /// <summary>The weight of the most specific range matching <paramref name="type"/>/<paramref name="subtype"/> (0 when none does).</summary>
    private static double Quality(IList<MediaTypeHeaderValue> accepted, string type, string subtype)
    {
        var best = -1;
        var quality = 0.0;
        foreach (var range in accepted)
        {
            var specificity = range.Type.Equals(type, StringComparison.OrdinalIgnoreCase)
                ? range.SubType.Equals(subtype, StringComparison.OrdinalIgnoreCase) ? 2 : range.SubType == "*" ? 1 : -1
                : range.Type == "*" && range.SubType == "*" ? 0 : -1;
            if (specificity > best)
            {
                best = specificity;
                quality = range.Quality ?? 1.0;
            }
        }
        return quality;
    }
}
