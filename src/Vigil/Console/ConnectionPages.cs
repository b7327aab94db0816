using Vigil.Connections;
using Vigil.WebConsole.Pages;

namespace Vigil.WebConsole;

/// <summary>
/// <c>/connections</c>: the connections the caller may see (<see cref="ConnectionAccess.CanSee"/>, as
/// <c>GET /api/connections</c>), with their target, access and review settings; secrets appear only as set or unset
/// (<see cref="ConnectionView"/> never carries them).
/// </summary>
public static class ConnectionPages
{
    /// <summary>What the list shows.</summary>
    public sealed record ConnectionsModel(ConsoleContext Context, IReadOnlyList<ConnectionView> Connections);

    /// <summary>Maps <c>/connections</c>.</summary>
    public static void MapConnectionPages(this RouteGroupBuilder signedIn) =>
        signedIn.MapGet("/connections", async (HttpContext http, ConnectionRepository connections, CancellationToken ct) =>
        {
            var context = ConsoleContext.Of(http);
            var visible = (await connections.ListAllAsync(ct)).Where(c => ConnectionAccess.CanSee(context.Caller, c)).Select(ConnectionView.From).ToList();
            return ConsolePage.Render<ConnectionsPage>(new ConnectionsModel(context, visible));
        });
}
