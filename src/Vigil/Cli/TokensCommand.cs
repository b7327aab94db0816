using System.CommandLine;
using System.Text.Json.Nodes;

namespace Vigil.Cli;

/// <summary>
/// <c>vigil tokens create|list|revoke</c> over <c>/api/tokens</c>. The secret is shown once, by <c>create</c>;
/// lists carry metadata only.
/// </summary>
public static class TokensCommand
{
    /// <summary>Builds the verb group.</summary>
    public static Command Create()
    {
        var tokens = new Command("tokens", "Manage API tokens");
        tokens.Subcommands.Add(CreateToken());
        tokens.Subcommands.Add(List());
        tokens.Subcommands.Add(Revoke());
        return tokens;
    }

    private static Command CreateToken()
    {
        var name = new Option<string?>("--name") { Description = "Label for the token" };
        var user = new Option<string?>("--user") { Description = "Issue it for this user (e-mail; admins only; default: yourself)" };
        var account = new Option<string?>("--serviceaccount") { Description = "Issue it for this service account (name)" };
        var expiresIn = new Option<string?>("--expires-in") { Description = "Lifetime such as 1h, 30d (default: no expiry)" };
        var connections = new Option<string[]>("--connection", "-c")
        {
            Description = "Narrow the token to this connection (repeatable; default: every connection its owner may use)",
            Arity = ArgumentArity.OneOrMore,
        };
        var json = CliFormat.JsonOption();
        var command = new Command("create", "Create an API token (its secret is shown once)") { name, user, account, expiresIn, connections, json };
        command.Validators.Add(result =>
        {
            if (result.GetValue(user) is not null && result.GetValue(account) is not null)
            {
                result.AddError("--user and --serviceaccount are exclusive");
            }
        });
        command.SetAction((parse, ct) => CliOutput.RunAsync(async client =>
        {
            var body = new JsonObject();
            foreach (var (key, option) in new[] { ("name", name), ("user", user), ("serviceaccount", account), ("expires_in", expiresIn) })
            {
                if (parse.GetValue(option) is { } value)
                {
                    body[key] = value;
                }
            }
            if (parse.GetValue(connections) is { Length: > 0 } c)
            {
                body["connections"] = new JsonArray(c.Select(x => (JsonNode)x).ToArray());
            }
            var created = await client.SendAsync(HttpMethod.Post, "api/tokens", body, ct);
            if (parse.GetValue(json))
            {
                CliOutput.Json(created);
                return 0;
            }
            CliFormat.Record(created is null ? null : Project(created.DeepClone()), "token");
            Console.WriteLine();
            Console.WriteLine(created?["token"]?.GetValue<string>());
            Console.WriteLine();
            await Console.Error.WriteLineAsync("Store this token now: it is not shown again.");
            return 0;
        }));
        return command;
    }

    private static Command List()
    {
        var owner = new Option<string?>("--owner") { Description = "Only tokens of this user (e-mail) or service account (name); admins only" };
        var page = CliFormat.PageOption();
        var json = CliFormat.JsonOption();
        var command = new Command("list", "List API tokens (never their secrets)") { owner, page, json };
        command.SetAction((parse, ct) => CliOutput.RunAsync(async client =>
        {
            await CliFormat.ListAsync(client, "api/tokens", [("owner", parse.GetValue(owner))], parse.GetValue(page), parse.GetValue(json),
                ["id", "name", "owner", "owner_type", "connections", "created_at", "expires_at", "last_used_at"], ct, Project);
            return 0;
        }));
        return command;
    }

    private static Command Revoke()
    {
        var id = new Argument<string>("id") { Description = "Token id (from `vigil tokens list`)" };
        var command = new Command("revoke", "Revoke an API token") { id };
        command.SetAction((parse, ct) => CliOutput.RunAsync(async client =>
        {
            await client.SendAsync(HttpMethod.Delete, $"api/tokens/{CliFormat.Segment(parse.GetValue(id)!)}", null, ct);
            Console.WriteLine($"revoked token {parse.GetValue(id)}");
            return 0;
        }));
        return command;
    }

    /// <summary>A token not narrowed to connections (null) reads "all"; no expiry reads "never".</summary>
    private static JsonNode Project(JsonNode token)
    {
        if (token is JsonObject obj)
        {
            if (obj.ContainsKey("connections") && obj["connections"] is null)
            {
                obj["connections"] = "all";
            }
            if (obj.ContainsKey("expires_at") && obj["expires_at"] is null)
            {
                obj["expires_at"] = "never";
            }
        }
        return token;
    }
}
