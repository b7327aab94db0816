using System.CommandLine;
using System.Text.Json.Nodes;

namespace Vigil.Cli;

/// <summary>
/// <c>vigil ai provider set|show|delete</c> over <c>/api/ai/session-analyzer/providers</c> (admins only). The API
/// key comes from the first line of stdin (<c>--api-key-stdin</c>) or <c>VIGIL_AI_API_KEY</c>, never from argv,
/// which shell history and the process list keep; the gateway only ever shows it masked.
/// </summary>
public static class AiProviderCommand
{
    private const string Path = "api/ai/session-analyzer/providers";

    /// <summary>The environment variable read for the key when <c>--api-key-stdin</c> is not given.</summary>
    public const string ApiKeyVariable = "VIGIL_AI_API_KEY";

    /// <summary>Builds the verb group.</summary>
    public static Command Create()
    {
        var provider = new Command("provider", "Configure the LLM provider the analyzer asks");
        provider.Subcommands.Add(Set());
        provider.Subcommands.Add(Show());
        provider.Subcommands.Add(Delete());
        return provider;
    }

    private static Command Set()
    {
        var name = new Option<string>("--provider") { Description = "openai, anthropic, azure-openai or custom (any OpenAI-compatible endpoint)", Required = true };
        var model = new Option<string>("--model") { Description = "Model name, e.g. gpt-4o-mini", Required = true };
        var apiUrl = new Option<string?>("--api-url") { Description = "Endpoint base URL (azure-openai and custom)" };
        var keyStdin = new Option<bool>("--api-key-stdin") { Description = $"Read the API key from the first line of stdin (else {ApiKeyVariable})" };
        var json = CliFormat.JsonOption();
        var command = new Command("set", "Set the provider (replacing any); the verdict cache is emptied") { name, model, apiUrl, keyStdin, json };
        command.SetAction((parse, ct) => CliOutput.RunAsync(async client =>
        {
            var key = parse.GetValue(keyStdin)
                ? (await Console.In.ReadLineAsync(ct))?.Trim()
                : Environment.GetEnvironmentVariable(ApiKeyVariable)?.Trim();
            if (string.IsNullOrEmpty(key))
            {
                throw new CliException($"no API key: pipe it in with --api-key-stdin or set {ApiKeyVariable}");
            }
            var body = new JsonObject
            {
                ["provider"] = parse.GetValue(name),
                ["model"] = parse.GetValue(model),
                ["api_key"] = key,
                ["api_url"] = parse.GetValue(apiUrl),
            };
            CliFormat.Show(await client.SendAsync(HttpMethod.Post, Path, body, ct), parse.GetValue(json));
            return 0;
        }));
        return command;
    }

    private static Command Show()
    {
        var json = CliFormat.JsonOption();
        var command = new Command("show", "Show the provider (the key masked)") { json };
        command.SetAction((parse, ct) => CliOutput.RunAsync(async client =>
        {
            CliFormat.Show(await client.SendAsync(HttpMethod.Get, Path, null, ct), parse.GetValue(json));
            return 0;
        }));
        return command;
    }

    private static Command Delete()
    {
        var command = new Command("delete", "Remove the provider (the analyzer then works offline)");
        command.SetAction((_, ct) => CliOutput.RunAsync(async client =>
        {
            await client.SendAsync(HttpMethod.Delete, Path, null, ct);
            Console.WriteLine("deleted the provider; the analyzer now uses static analysis only");
            return 0;
        }));
        return command;
    }
}
