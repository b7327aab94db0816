using System.Globalization;
using Vigil.Connections;
using Vigil.Identity.Groups;
using Vigil.Pipeline;
using Vigil.WebConsole.Pages;

namespace Vigil.WebConsole;

/// <summary>
/// <c>/connections</c>: the connections the caller may see (<see cref="ConnectionAccess.CanSee"/>, as
/// <c>GET /api/connections</c>), with their target, access and review settings; secrets appear only as set or unset
/// (<see cref="ConnectionView"/> never carries them). Admins create (<c>/connections/new</c>) and edit
/// (<c>/connections/{name}</c>) them through <see cref="ConnectionEndpoints.CreateConnectionAsync"/> and
/// <see cref="ConnectionEndpoints.ChangeConnectionAsync"/>,
/// the API's own create and PATCH; an empty password field keeps the stored password.
/// </summary>
public static class ConnectionPages
{
    /// <summary>What the list shows.</summary>
    public sealed record ConnectionsModel(ConsoleContext Context, IReadOnlyList<ConnectionView> Connections);

    /// <summary>
    /// The form as typed (never the password, which is write-only): text fields as entered so a refused form comes back
    /// as it was; groups are comma-separated.
    /// </summary>
    public sealed record ConnectionForm(
        string? Name, string? Host, string? Port, string? Database, string? Username, bool HasPassword, string? SslMode,
        string? AccessGroups, bool Exec, bool Connect, string? ReviewGroups, string? MinApprovals, string? ReviewTimeout,
        string? MaxAccessDuration, bool RequireJitForConnect, bool RequireReviewForExec, string? Recording, string? RecordResultRows, string? RecordResultBytes)
    {
        /// <summary>The form of a new connection: the API's defaults.</summary>
        public static ConnectionForm New { get; } = new(
            null, null, "5432", null, null, false, "prefer", null, true, true, null, "1", "30m", "8h", false, false, "async", "100", "65536");

        /// <summary>The form showing <paramref name="c"/>.</summary>
        public static ConnectionForm From(ConnectionView c) => new(
            c.Name, c.Host, c.Port.ToString(CultureInfo.InvariantCulture), c.Database, c.Username, c.HasPassword, c.SslMode,
            string.Join(", ", c.AccessGroups), c.AccessModes.Contains(ConnectionAccess.Exec), c.AccessModes.Contains(ConnectionAccess.Connect),
            string.Join(", ", c.ReviewGroups), c.MinApprovals.ToString(CultureInfo.InvariantCulture), c.ReviewTimeout, c.MaxAccessDuration,
            c.RequireJitForConnect, c.RequireReviewForExec, c.Recording, c.RecordResultRows.ToString(CultureInfo.InvariantCulture),
            c.RecordResultBytes.ToString(CultureInfo.InvariantCulture));

        /// <summary>The posted form.</summary>
        public static ConnectionForm Read(IFormCollection f, bool hasPassword)
        {
            string? Text(string name) => f[name].ToString().Trim() is { Length: > 0 } v ? v : null;
            bool Check(string name) => f[name] == "on";
            return new(
                Text("name"), Text("host"), Text("port"), Text("database"), Text("username"), hasPassword, Text("ssl_mode"), Text("access_groups"),
                Check("mode_exec"), Check("mode_connect"), Text("review_groups"), Text("min_approvals"), Text("review_timeout"), Text("max_access_duration"),
                Check("require_jit_for_connect"), Check("require_review_for_exec"), Text("recording"), Text("record_result_rows"), Text("record_result_bytes"));
        }

        /// <summary>The API request the form amounts to, or the message naming the field that is not a number.</summary>
        public (ConnectionRequest? Request, string? Error) ToRequest(string? password)
        {
            var numbers = new Dictionary<string, int?>();
            foreach (var (field, text) in new[] { ("port", Port), ("min_approvals", MinApprovals), ("record_result_rows", RecordResultRows), ("record_result_bytes", RecordResultBytes) })
            {
                if (text is null)
                {
                    numbers[field] = null;
                }
                else if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                {
                    numbers[field] = n;
                }
                else
                {
                    return (null, $"field '{field}' must be a whole number");
                }
            }
            static string[] Groups(string? text) => text?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
            string[] modes = [.. Exec ? [ConnectionAccess.Exec] : Array.Empty<string>(), .. Connect ? [ConnectionAccess.Connect] : Array.Empty<string>()];
            return (new ConnectionRequest(
                Name, "postgres", Host, numbers["port"], Database, Username, password, SslMode, null, Groups(AccessGroups), modes, Groups(ReviewGroups),
                numbers["min_approvals"], ReviewTimeout, MaxAccessDuration, RequireJitForConnect, RequireReviewForExec, Recording,
                numbers["record_result_rows"], numbers["record_result_bytes"]), null);
        }
    }

    /// <summary>What the form page shows: <see cref="Existing"/> is null for a new connection.</summary>
    public sealed record ConnectionModel(ConsoleContext Context, string? Existing, ConnectionForm Form, string? Error, bool Saved = false, string? Tested = null);

    /// <summary>Maps the list, the form pages and their posts.</summary>
    public static void MapConnectionPages(this RouteGroupBuilder signedIn)
    {
        signedIn.MapGet("/connections", async (HttpContext http, ConnectionRepository connections, CancellationToken ct) =>
        {
            var context = ConsoleContext.Of(http);
            var visible = (await connections.ListAllAsync(ct)).Where(c => ConnectionAccess.CanSee(context.Caller, c)).Select(ConnectionView.From).ToList();
            return ConsolePage.Render<ConnectionsPage>(new ConnectionsModel(context, visible));
        });
        signedIn.MapGet("/connections/new", (HttpContext http) =>
        {
            var context = ConsoleContext.Of(http);
            return ConnectionAccess.CanManage(context.Caller)
                ? ConsolePage.Render<ConnectionPage>(new ConnectionModel(context, null, ConnectionForm.New, null))
                : NotFoundPage.Forbidden(context, "Only admins may register connections.");
        });
        signedIn.MapGet("/connections/{name}", async (string name, HttpContext http, ConnectionRepository connections, CancellationToken ct) =>
        {
            var context = ConsoleContext.Of(http);
            var connection = await connections.FindAsync(name, ct);
            return connection is null || !ConnectionAccess.CanSee(context.Caller, connection)
                ? NotFoundPage.Render(context, $"Connection '{name}' was not found.")
                : ConsolePage.Render<ConnectionPage>(new ConnectionModel(context, name, ConnectionForm.From(ConnectionView.From(connection)), null, http.Request.Query["saved"] == "1"));
        });
        signedIn.MapPost("/connections", CreateAsync);
        signedIn.MapPost("/connections/{name}", ChangeAsync);
        signedIn.MapPost("/connections/{name}/test", TestAsync);
    }

    /// <summary>
    /// Opens a session to the target with the connection's own credentials and closes it at once (admins only, as a
    /// management action): shows the server version, or why it failed (unreachable, TLS, authentication).
    /// </summary>
    private static async Task<IResult> TestAsync(string name, HttpContext http, ConnectionRepository repository, CancellationToken ct)
    {
        var context = ConsoleContext.Of(http);
        if (!ConnectionAccess.CanManage(context.Caller))
        {
            return NotFoundPage.Forbidden(context, "Only admins may test connections.");
        }
        var connection = await repository.FindAsync(name, ct);
        if (connection is null)
        {
            return NotFoundPage.Render(context, $"Connection '{name}' was not found.");
        }
        var form = ConnectionForm.From(ConnectionView.From(connection));
        try
        {
            var session = await Adapters.Postgres.UpstreamConnector.ConnectAsync(connection, new Dictionary<string, string>(), TimeSpan.FromSeconds(10), ct);
            await session.Stream.DisposeAsync();
            var version = session.Parameters.FirstOrDefault(p => p.Name == "server_version").Value ?? "unknown";
            return ConsolePage.Render<ConnectionPage>(new ConnectionModel(context, name, form, null, Tested: $"Connected: PostgreSQL {version}."));
        }
        catch (Adapters.Postgres.UpstreamException e)
        {
            return ConsolePage.Render<ConnectionPage>(new ConnectionModel(context, name, form, $"Connection test failed: {e.Message}"), StatusCodes.Status502BadGateway);
        }
    }

    private static async Task<IResult> CreateAsync(
        HttpContext http, ConnectionRepository repository, GroupRepository groups, TimeProvider time, CancellationToken ct)
    {
        var context = ConsoleContext.Of(http);
        var posted = await http.Request.ReadFormAsync(ct);
        var form = ConnectionForm.Read(posted, false);
        var (request, invalid) = form.ToRequest(posted["password"].ToString() is { Length: > 0 } p ? p : null);
        var (view, problem) = request is null ? (null, null) : await ConnectionEndpoints.CreateConnectionAsync(context.Caller, request, repository, groups, time, ct);
        if (view is not null)
        {
            return TypedResults.Redirect($"/connections/{Uri.EscapeDataString(view.Name)}?saved=1");
        }
        return ConsolePage.Render<ConnectionPage>(
            new ConnectionModel(context, null, form, invalid ?? problem!.ProblemDetails.Detail), problem?.StatusCode ?? StatusCodes.Status400BadRequest);
    }

    private static async Task<IResult> ChangeAsync(
        string name, HttpContext http, ConnectionRepository repository, GroupRepository groups, CommandPipeline pipeline, TimeProvider time, CancellationToken ct)
    {
        var context = ConsoleContext.Of(http);
        var posted = await http.Request.ReadFormAsync(ct);
        var existing = await repository.FindAsync(name, ct);
        var form = ConnectionForm.Read(posted, existing?.Password is not null) with { Name = name };
        var (request, invalid) = form.ToRequest(posted["password"].ToString() is { Length: > 0 } p ? p : null);
        // PATCH semantics: an empty password keeps the stored one; every other field is on the form and replaces its value.
        var (view, problem) = request is null ? (null, null)
            : await ConnectionEndpoints.ChangeConnectionAsync(context.Caller, name, request, (r, stored) => r.MergeOver(stored), repository, groups, pipeline, time, ct);
        if (view is not null)
        {
            return TypedResults.Redirect($"/connections/{Uri.EscapeDataString(view.Name)}?saved=1");
        }
        return ConsolePage.Render<ConnectionPage>(
            new ConnectionModel(context, name, form, invalid ?? problem!.ProblemDetails.Detail), problem?.StatusCode ?? StatusCodes.Status400BadRequest);
    }
}
