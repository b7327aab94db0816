using System.CommandLine;
using System.Text.Json.Nodes;

namespace Vigil.Cli;

/// <summary>
/// <c>vigil ssh-keys add|list|remove</c> over <c>/api/users/{id}/ssh-keys</c>: the public keys an identity logs in to
/// the gateway's SSH listener with. Without <c>--user</c> or <c>--serviceaccount</c> they are the caller's own keys.
/// </summary>
public static class SshKeysCommand
{
    /// <summary>Builds the verb group.</summary>
    public static Command Create()
    {
        var keys = new Command("ssh-keys", "Manage the SSH public keys you (or, as an admin, anyone) log in to the gateway with");
        keys.Subcommands.Add(Add());
        keys.Subcommands.Add(List());
        keys.Subcommands.Add(Remove());
        return keys;
    }

    private static (Option<string?> User, Option<string?> Account) OwnerOptions() => (
        new Option<string?>("--user") { Description = "The user's keys (id or e-mail; admins only; default: yours)" },
        new Option<string?>("--serviceaccount") { Description = "The service account's keys (id or name; admins only)" });

    /// <summary>The collection path for the chosen owner: <c>api/users/me/ssh-keys</c> by default.</summary>
    private static string PathFor(ParseResult parse, (Option<string?> User, Option<string?> Account) owner) =>
        parse.GetValue(owner.Account) is { } account
            ? $"api/serviceaccounts/{CliFormat.Segment(account)}/ssh-keys"
            : $"api/users/{CliFormat.Segment(parse.GetValue(owner.User) ?? "me")}/ssh-keys";

    private static void Exclusive(Command command, (Option<string?> User, Option<string?> Account) owner) =>
        command.Validators.Add(result =>
        {
            if (result.GetValue(owner.User) is not null && result.GetValue(owner.Account) is not null)
            {
                result.AddError("--user and --serviceaccount are exclusive");
            }
        });

    private static Command Add()
    {
        var file = new Argument<FileInfo>("file") { Description = "The public key file (e.g. ~/.ssh/id_ed25519.pub)" };
        var name = new Option<string?>("--name") { Description = "Label for the key (default: the key's comment)" };
        var owner = OwnerOptions();
        var json = CliFormat.JsonOption();
        var command = new Command("add", "Register a public key") { file, name, owner.User, owner.Account, json };
        Exclusive(command, owner);
        command.SetAction((parse, ct) => CliOutput.RunAsync(async client =>
        {
            var text = await CliFiles.ReadTextAsync(parse.GetValue(file)!, "FILE", ct);
            if (text.Contains("PRIVATE KEY", StringComparison.Ordinal))
            {
                throw new CliException($"{parse.GetValue(file)} is a private key: give the .pub file (the private key never leaves your machine)");
            }
            var body = new JsonObject { ["public_key"] = text.Trim() };
            if (parse.GetValue(name) is { } label)
            {
                body["name"] = label;
            }
            var created = await client.SendAsync(HttpMethod.Post, PathFor(parse, owner), body, ct);
            CliFormat.Show(created, parse.GetValue(json));
            return 0;
        }));
        return command;
    }

    private static Command List()
    {
        var owner = OwnerOptions();
        var page = CliFormat.PageOption();
        var json = CliFormat.JsonOption();
        var command = new Command("list", "List registered public keys") { owner.User, owner.Account, page, json };
        Exclusive(command, owner);
        command.SetAction((parse, ct) => CliOutput.RunAsync(async client =>
        {
            await CliFormat.ListAsync(client, PathFor(parse, owner), [], parse.GetValue(page), parse.GetValue(json),
                ["id", "name", "type", "fingerprint", "created_at"], ct);
            return 0;
        }));
        return command;
    }

    private static Command Remove()
    {
        var id = new Argument<string>("id") { Description = "Key id (from `vigil ssh-keys list`)" };
        var owner = OwnerOptions();
        var command = new Command("remove", "Remove a registered public key") { id, owner.User, owner.Account };
        Exclusive(command, owner);
        command.SetAction((parse, ct) => CliOutput.RunAsync(async client =>
        {
            await client.SendAsync(HttpMethod.Delete, $"{PathFor(parse, owner)}/{CliFormat.Segment(parse.GetValue(id)!)}", null, ct);
            Console.WriteLine($"removed ssh key {parse.GetValue(id)}");
            return 0;
        }));
        return command;
    }
}
