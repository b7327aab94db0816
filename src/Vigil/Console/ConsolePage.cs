using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http.HttpResults;
using Vigil.Identity;

namespace Vigil.WebConsole;

/// <summary>What every signed-in page needs for its frame: the caller (name, role), the CSRF token its forms echo, and the current path (navigation state).</summary>
public sealed record ConsoleContext(CallerIdentity Caller, string CsrfToken, string Path)
{
    /// <summary>The context of the current signed-in request (<see cref="ConsoleAuthentication"/> ran).</summary>
    public static ConsoleContext Of(HttpContext http)
    {
        var (caller, csrf) = ConsoleAuthentication.Current(http);
        return new ConsoleContext(caller, csrf, http.Request.Path.Value ?? "/");
    }
}

/// <summary>Renders a console page: a Razor component statically on the server (no interactivity), with its model.</summary>
public static class ConsolePage
{
    /// <summary>
    /// The HTML of <typeparamref name="TPage"/> with its <c>Model</c> parameter set to <paramref name="model"/>, answered
    /// with <paramref name="statusCode"/>.
    /// </summary>
    public static RazorComponentResult<TPage> Render<TPage>(object model, int statusCode = StatusCodes.Status200OK) where TPage : IComponent =>
        new(new Dictionary<string, object?> { ["Model"] = model }) { StatusCode = statusCode, ContentType = "text/html; charset=utf-8" };
}
