using System.CommandLine;
using System.Text.Json.Nodes;

namespace Vigil.Cli;

/// <summary>
/// <c>vigil serviceaccounts create|list|show|update|delete</c> over <c>/api/serviceaccounts</c>: non-human
/// identities (an AI agent, a CI job) that act through API tokens (<c>vigil tokens create --serviceaccount</c>).
/// </summary>
public static class ServiceAccountsCommand
{
    /// <summary>Builds the verb group.</summary>
    public static Command Create()
    {
        var accounts = new Command("serviceaccounts", "Manage service accounts (non-human identities such as AI agents)");
        accounts.Subcommands.Add(CreateAccount());
        accounts.Subcommands.Add(List());
        accounts.Subcommands.Add(Show());
        accounts.Subcommands.Add(Update());
        accounts.Subcommands.Add(Delete());
        return accounts;
    }

    private static Command CreateAccount()
    {
        var name = new Argument<string>("name");
        var groups = UsersCommand.GroupOption("Group to add the service account to (repeatable)");
        var json = CliFormat.JsonOption();
        var command = new Command("create", "Create a service account") { name, groups, json };
        command.SetAction((parse, ct) => CliOutput.RunAsync(async client =>
        {
            var body = new JsonObject
            {
                ["name"] = parse.GetValue(name),
                ["groups"] = new JsonArray((parse.GetValue(groups) ?? []).Select(g => (JsonNode)g).ToArray()),
            };
            CliFormat.Show(await client.SendAsync(HttpMethod.Post, "api/serviceaccounts", body, ct), parse.GetValue(json));
            return 0;
        }));
        return command;
    }

    private static Command List()
    {
        var page = CliFormat.PageOption();
        var json = CliFormat.JsonOption();
        var command = new Command("list", "List service accounts") { page, json };
        command.SetAction((parse, ct) => CliOutput.RunAsync(async client =>
        {
            await CliFormat.ListAsync(client, "api/serviceaccounts", [], parse.GetValue(page), parse.GetValue(json),
                ["id", "name", "groups", "status", "created_at"], ct);
            return 0;
        }));
        return command;
    }

    private static Command Show()
    {
        var account = new Argument<string>("serviceaccount") { Description = "Id or name" };
        var json = CliFormat.JsonOption();
        var command = new Command("show", "Show a service account") { account, json };
        command.SetAction((parse, ct) => CliOutput.RunAsync(async client =>
        {
            CliFormat.Show(await client.SendAsync(HttpMethod.Get, $"api/serviceaccounts/{CliFormat.Segment(parse.GetValue(account)!)}", null, ct), parse.GetValue(json));
            return 0;
        }));
        return command;
    }

    private static Command Update()
    {
        var account = new Argument<string>("serviceaccount") { Description = "Id or name" };
        var groups = UsersCommand.GroupOption("Replace the groups with these (repeatable)");
        var status = new Option<string?>("--status") { Description = "active or inactive (inactive refuses its tokens)" };
        status.AcceptOnlyFromAmong("active", "inactive");
        var json = CliFormat.JsonOption();
        var command = new Command("update", "Change a service account's groups or status") { account, groups, status, json };
        command.SetAction((parse, ct) => CliOutput.RunAsync(async client =>
        {
            var body = new JsonObject();
            // An option not given parses as an empty array: only send groups when --group was given.
            if (parse.GetResult(groups) is not null && parse.GetValue(groups) is { } g)
            {
                body["groups"] = new JsonArray(g.Select(x => (JsonNode)x).ToArray());
            }
            if (parse.GetValue(status) is { } s)
            {
                body["status"] = s;
            }
            if (body.Count == 0)
            {
                throw new CliException("nothing to change: pass --group or --status");
            }
            var path = $"api/serviceaccounts/{CliFormat.Segment(parse.GetValue(account)!)}";
            var result = await client.SendAsync(HttpMethod.Patch, path, body, ct);
            CliFormat.Show(result ?? await client.SendAsync(HttpMethod.Get, path, null, ct), parse.GetValue(json));
            return 0;
        }));
        return command;
    }

    private static Command Delete()
    {
        var account = new Argument<string>("serviceaccount") { Description = "Id or name" };
        var command = new Command("delete", "Delete a service account (its tokens stop working)") { account };
        command.SetAction((parse, ct) => CliOutput.RunAsync(async client =>
        {
            await client.SendAsync(HttpMethod.Delete, $"api/serviceaccounts/{CliFormat.Segment(parse.GetValue(account)!)}", null, ct);
            Console.WriteLine($"deleted service account {parse.GetValue(account)}");
            return 0;
        }));
        return command;
    }
}
