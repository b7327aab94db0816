using Vigil.Connections;
using Vigil.Hosting;
using Vigil.Identity;
using Vigil.Identity.Groups;
using Vigil.Identity.Tokens;
using Vigil.Identity.Users;
using Vigil.Pipeline;
using Vigil.WebConsole.Pages;

namespace Vigil.WebConsole;

/// <summary>
/// Identities in the console. <c>/users</c> and <c>/service-accounts</c> (admins only, as the API): list, create
/// (<c>/new</c>), and change one (<c>/{id}</c>: name, groups — the membership —, status active/inactive to disable,
/// a user's password, write-only) through <see cref="AccountEndpoints.CreateAccountAsync"/> and
/// <see cref="AccountEndpoints.ChangeAccountAsync"/>. <c>/groups</c> (admins): the groups with their members, and
/// create (<see cref="GroupEndpoints.CreateGroupAsync"/>). <c>/tokens</c> (everyone, as the API: yours; admins all):
/// list, create (<see cref="TokenEndpoints.IssueAsync"/>; the secret is shown on the answer to the create and never
/// again) and revoke (<see cref="TokenEndpoints.RevokeTokenAsync"/>).
/// </summary>
public static class IdentityPages
{
    /// <summary>Rows per list page.</summary>
    public const int PageSize = 50;

    private static readonly FormField[] s_userFields =
    [
        new("email", "E-mail", FieldKind.Text),
        new("name", "Name", FieldKind.Text, "Empty on create: the part of the e-mail before @."),
        new("groups", "Groups", FieldKind.List, "Comma-separated. admin and auditor give those roles; other groups open connections."),
        new("status", "Status", FieldKind.Choice, "inactive disables the account: its sessions end and its tokens stop working.", ["active", "inactive"]),
        new("password", "Password", FieldKind.Secret, "At least 12 characters."),
    ];

    private static readonly FormField[] s_serviceAccountFields =
    [
        new("name", "Name", FieldKind.Text, "Lower-case letters, digits, '_', '-' or '.'."),
        new("groups", "Groups", FieldKind.List, "Comma-separated."),
        new("status", "Status", FieldKind.Choice, "inactive disables the account: its sessions end and its tokens stop working.", ["active", "inactive"]),
    ];

    /// <summary>The create-group form.</summary>
    public static IReadOnlyList<FormField> GroupFields { get; } =
    [
        new("name", "Group name", FieldKind.Text, "Lower-case letters, digits, '_', '-' or '.'."),
        new("description", "Description", FieldKind.Text),
    ];

    private static readonly FormField[] s_tokenFields =
    [
        new("name", "Token name", FieldKind.Text, "What it is for, e.g. \"ci deploy\"."),
        new("expires_in", "Expires in", FieldKind.Text, "A duration such as 1h, 30d or 2w; empty or longer: the gateway's longest."),
        new("connections", "Only these connections", FieldKind.List, "Comma-separated; empty: every connection its owner may use."),
    ];

    private static readonly FormField[] s_ownerFields =
    [
        new("user", "For user (e-mail)", FieldKind.Text, "Admins: empty for yourself."),
        new("serviceaccount", "For service account", FieldKind.Text),
    ];

    /// <summary>The create-token form of <paramref name="caller"/>: admins may also name the owner.</summary>
    public static IReadOnlyList<FormField> TokenFields(CallerIdentity caller) => caller.IsAdmin ? [.. s_tokenFields, .. s_ownerFields] : s_tokenFields;

    /// <summary>What the users or service accounts list shows.</summary>
    public sealed record AccountsModel(ConsoleContext Context, IdentityKind Kind, IReadOnlyList<UserAccount> Items, long Total, int Page);

    /// <summary>What the groups page shows; <see cref="Form"/> is the create form (refused or empty).</summary>
    public sealed record GroupsModel(ConsoleContext Context, IReadOnlyList<GroupView> Groups, PolicyForm Form, string? Created);

    /// <summary>What the tokens page shows; <see cref="Created"/> carries the secret of the token just created, once.</summary>
    public sealed record TokensModel(
        ConsoleContext Context, IReadOnlyList<TokenEndpoints.TokenView> Tokens, long Total, int Page, PolicyForm Form, TokenEndpoints.CreatedToken? Created, string? Notice);

    /// <summary>Maps the pages and their posts.</summary>
    public static void MapIdentityPages(this RouteGroupBuilder signedIn)
    {
        MapAccounts(signedIn, IdentityKind.User, "/users", s_userFields);
        MapAccounts(signedIn, IdentityKind.ServiceAccount, "/service-accounts", s_serviceAccountFields);
        signedIn.MapGet("/groups", async (HttpContext http, GroupRepository groups, CancellationToken ct) =>
            await GroupsAsync(ConsoleContext.Of(http), groups, new PolicyForm(new Dictionary<string, string>()), http.Request.Query["created"], StatusCodes.Status200OK, ct));
        signedIn.MapPost("/groups", async (HttpContext http, GroupRepository groups, CancellationToken ct) =>
        {
            var context = ConsoleContext.Of(http);
            if (!context.Caller.IsAdmin)
            {
                return NotFoundPage.Forbidden(context, "Only admins may create groups.");
            }
            var form = PolicyForm.Read(await http.Request.ReadFormAsync(ct), GroupFields);
            var (request, refused) = form.ToRequest<GroupEndpoints.GroupRequest>(GroupFields);
            var (created, problem) = request is null ? (null, null) : await GroupEndpoints.CreateGroupAsync(context.Caller, request, groups, ct);
            return created is not null
                ? TypedResults.Redirect("/groups?created=" + Uri.EscapeDataString(created.Name))
                : await GroupsAsync(context, groups, refused ?? form.Refuse(GroupFields, problem!.ProblemDetails.Detail ?? "refused"), null, problem?.StatusCode ?? 400, ct);
        });
        signedIn.MapGet("/tokens", async (HttpContext http, TokenService tokens, CancellationToken ct) =>
        {
            var context = ConsoleContext.Of(http);
            var notice = http.Request.Query["revoked"].ToString() is { Length: > 0 } revoked ? $"Revoked token {revoked}." : null;
            return await TokensAsync(context, tokens, PageOf(http), new PolicyForm(new Dictionary<string, string>()), null, notice, StatusCodes.Status200OK, ct);
        });
        signedIn.MapPost("/tokens", CreateTokenAsync);
        signedIn.MapPost("/tokens/{id}/revoke", async (string id, HttpContext http, TokenService tokens, CommandPipeline pipeline, CancellationToken ct) =>
        {
            var context = ConsoleContext.Of(http);
            return await TokenEndpoints.RevokeTokenAsync(context.Caller, id, tokens, pipeline, ct) is null
                ? TypedResults.Redirect("/tokens?revoked=" + Uri.EscapeDataString(id))
                : NotFoundPage.Render(context, $"Token '{id}' was not found.");
        });
    }

    private static void MapAccounts(RouteGroupBuilder signedIn, IdentityKind kind, string path, IReadOnlyList<FormField> fields)
    {
        var noun = kind == IdentityKind.User ? "user" : "service account";
        var plural = kind == IdentityKind.User ? "Users" : "Service accounts";
        IResult Form(ConsoleContext context, UserAccount? account, PolicyForm form, int status = StatusCodes.Status200OK, bool saved = false) =>
            ConsolePage.Render<PolicyFormPage>(new PolicyFormPage.FormModel(
                context, account is null ? $"New {noun}" : $"{char.ToUpperInvariant(noun[0])}{noun[1..]} {account.DisplayName}",
                account is null ? path : $"{path}/{Uri.EscapeDataString(account.Id)}", null, fields, form, saved,
                account is null ? $"Create {noun}" : "Save changes",
                Notes: kind == IdentityKind.User ? new Dictionary<string, string> { ["password"] = account?.HasPassword == true ? "set; leave empty to keep it" : "not set" } : null,
                BackHref: path, BackLabel: plural), status);

        signedIn.MapGet(path, async (HttpContext http, UserRepository users, CancellationToken ct) =>
        {
            var context = ConsoleContext.Of(http);
            if (!context.Caller.IsAdmin)
            {
                return NotFoundPage.Forbidden(context, $"Only admins may see {plural.ToLowerInvariant()}.");
            }
            var page = PageOf(http);
            var (items, total) = await users.ListAsync(new UserRepository.Query(kind, null, null, page, PageSize), ct);
            return ConsolePage.Render<AccountsPage>(new AccountsModel(context, kind, items, total, page));
        });
        signedIn.MapGet(path + "/new", (HttpContext http) => ConsoleContext.Of(http) is var context && context.Caller.IsAdmin
            ? Form(context, null, new PolicyForm(new Dictionary<string, string> { ["status"] = "active" }))
            : NotFoundPage.Forbidden(context, $"Only admins may create {noun}s."));
        signedIn.MapGet(path + "/{id}", async (string id, HttpContext http, UserRepository users, CancellationToken ct) =>
        {
            var context = ConsoleContext.Of(http);
            if (!context.Caller.IsAdmin)
            {
                return NotFoundPage.Forbidden(context, $"Only admins may see {plural.ToLowerInvariant()}.");
            }
            return await users.FindAsync(kind, id, ct) is { } account
                ? Form(context, account, PolicyForm.From(UserView.From(account), fields), saved: http.Request.Query["saved"] == "1")
                : NotFoundPage.Render(context, $"No {noun} '{id}'.");
        });
        signedIn.MapPost(path, async (HttpContext http, UserRepository users, AccountChanges changes, CancellationToken ct) =>
        {
            var context = ConsoleContext.Of(http);
            if (!context.Caller.IsAdmin)
            {
                return NotFoundPage.Forbidden(context, $"Only admins may create {noun}s.");
            }
            var form = PolicyForm.Read(await http.Request.ReadFormAsync(ct), fields);
            var (request, refused) = form.ToRequest<UserRequest>(fields);
            var (account, problem) = request is null ? (null, null) : await AccountEndpoints.CreateAccountAsync(context.Caller, kind, request, users, changes, ct);
            return account is not null
                ? TypedResults.Redirect($"{path}/{Uri.EscapeDataString(account.Id)}?saved=1")
                : Form(context, null, WithoutSecret(refused ?? form.Refuse(fields, problem!.ProblemDetails.Detail ?? "refused")), problem?.StatusCode ?? 400);
        });
        signedIn.MapPost(path + "/{id}", async (string id, HttpContext http, UserRepository users, AccountChanges changes, CancellationToken ct) =>
        {
            var context = ConsoleContext.Of(http);
            if (!context.Caller.IsAdmin)
            {
                return NotFoundPage.Forbidden(context, $"Only admins may change {noun}s.");
            }
            var existing = await users.FindAsync(kind, id, ct);
            if (existing is null)
            {
                return NotFoundPage.Render(context, $"No {noun} '{id}'.");
            }
            var form = PolicyForm.Read(await http.Request.ReadFormAsync(ct), fields);
            var (request, refused) = form.ToRequest<UserRequest>(fields);
            // PATCH semantics: every field is on the form, so an empty groups field means no groups; an empty password keeps it.
            request = request is null ? null : request with { Groups = request.Groups ?? [] };
            var (account, problem) = request is null ? (null, null) : await AccountEndpoints.ChangeAccountAsync(context.Caller, kind, existing.Id, request, users, changes, ct);
            return account is not null
                ? TypedResults.Redirect($"{path}/{Uri.EscapeDataString(account.Id)}?saved=1")
                : Form(context, existing, WithoutSecret(refused ?? form.Refuse(fields, problem!.ProblemDetails.Detail ?? "refused")), problem?.StatusCode ?? 400);
        });
    }

    private static async Task<IResult> CreateTokenAsync(
        HttpContext http, TokenService tokens, UserRepository users, ConnectionRepository connections, GatewayOptions options, TimeProvider time, CancellationToken ct)
    {
        var context = ConsoleContext.Of(http);
        var fields = TokenFields(context.Caller);
        var form = PolicyForm.Read(await http.Request.ReadFormAsync(ct), fields);
        var (request, refused) = form.ToRequest<TokenEndpoints.TokenRequest>(fields);
        var (created, problem) = request is null ? (null, null) : await TokenEndpoints.IssueAsync(context.Caller, request, tokens, users, connections, options, time, ct);
        if (created is not null)
        {
            // No redirect: the secret exists only in this answer (Cache-Control: no-store), so a reload cannot show it again.
            return await TokensAsync(context, tokens, 1, new PolicyForm(new Dictionary<string, string>()), created, null, StatusCodes.Status201Created, ct);
        }
        return await TokensAsync(context, tokens, 1, refused ?? form.Refuse(fields, problem!.ProblemDetails.Detail ?? "refused"), null, null, problem?.StatusCode ?? 400, ct);
    }

    private static async Task<IResult> GroupsAsync(ConsoleContext context, GroupRepository groups, PolicyForm form, string? created, int status, CancellationToken ct) =>
        context.Caller.IsAdmin
            ? ConsolePage.Render<GroupsPage>(new GroupsModel(context, await groups.ListAsync(ct), form, string.IsNullOrEmpty(created) ? null : created), status)
            : NotFoundPage.Forbidden(context, "Only admins may see groups.");

    private static async Task<IResult> TokensAsync(
        ConsoleContext context, TokenService tokens, int page, PolicyForm form, TokenEndpoints.CreatedToken? created, string? notice, int status, CancellationToken ct)
    {
        // As GET /api/tokens: your own; admins every token.
        var (items, total) = await tokens.ListAsync(context.Caller.IsAdmin ? null : context.Caller.UserId, page, PageSize, ct);
        return ConsolePage.Render<TokensPage>(new TokensModel(context, items.Select(TokenEndpoints.TokenView.From).ToList(), total, page, form, created, notice), status);
    }

    private static int PageOf(HttpContext http) => int.TryParse(http.Request.Query["page"], out var p) && p >= 1 ? p : 1;

    /// <summary>A refused form goes back without the password typed into it.</summary>
    private static PolicyForm WithoutSecret(PolicyForm form) =>
        form with { Values = form.Values.Where(v => v.Key != "password").ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal) };
}
