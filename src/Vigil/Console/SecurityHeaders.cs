namespace Vigil.WebConsole;

/// <summary>
/// Endpoint filter of every console route: a strict Content-Security-Policy (CSP Level 3) that allows only this
/// origin's own script, style, images and connections (no inline script or style, no <c>eval</c>, no framing, forms
/// post only here), plus <c>X-Content-Type-Options: nosniff</c>, <c>Referrer-Policy: same-origin</c> and
/// <c>Cache-Control: no-store</c> (pages show recorded data that must not linger in shared caches).
/// </summary>
public sealed class SecurityHeaders : IEndpointFilter
{
    /// <summary>The policy sent with every console page.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; font-src 'self'; " +
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    /// <summary>Sets the headers on <paramref name="response"/>.</summary>
    public static void Apply(HttpResponse response)
    {
        var headers = response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "same-origin";
        headers.XFrameOptions = "DENY";
        headers.CacheControl = "no-store";
    }

    /// <inheritdoc />
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        Apply(context.HttpContext.Response);
        return next(context);
    }
}
