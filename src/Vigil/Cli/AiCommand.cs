using System.CommandLine;

namespace Vigil.Cli;

/// <summary>
/// <c>vigil ai provider|rules|system-prompt|cache</c>: configures the AI session analyzer over
/// <c>/api/ai/session-analyzer</c> (admins write; admins and auditors read).
/// </summary>
public static class AiCommand
{
    private const string Base = "api/ai/session-analyzer";

    /// <summary>Builds the verb group.</summary>
    public static Command Create()
    {
        var ai = new Command("ai", "Configure the AI session analyzer");
        ai.Subcommands.Add(AiProviderCommand.Create());
        ai.Subcommands.Add(AiRulesCommand.Create());
        ai.Subcommands.Add(SystemPrompt());
        ai.Subcommands.Add(Cache());
        return ai;
    }

    private static Command SystemPrompt()
    {
        var rule = new Option<string?>("--rule") { Description = "The prompt as this rule's custom prompt extends it" };
        var json = CliFormat.JsonOption();
        var command = new Command("system-prompt", "Print the system prompt the provider is given") { rule, json };
        command.SetAction((parse, ct) => CliOutput.RunAsync(async client =>
        {
            var path = parse.GetValue(rule) is { } name ? $"{Base}/system-prompt?rule={CliFormat.Segment(name)}" : $"{Base}/system-prompt";
            var view = await client.SendAsync(HttpMethod.Get, path, null, ct);
            if (parse.GetValue(json))
            {
                CliOutput.Json(view);
            }
            else
            {
                // The bare prompt, so it can be redirected to a file and diffed.
                Console.Out.Write(view?["system_prompt"]?.GetValue<string>() ?? "");
                Console.WriteLine();
            }
            return 0;
        }));
        return command;
    }

    private static Command Cache()
    {
        var clear = new Option<bool>("--clear") { Description = "Empty the verdict cache (admins only)" };
        var json = CliFormat.JsonOption();
        var command = new Command("cache", "Show the verdict cache's counters, or empty it") { clear, json };
        command.SetAction((parse, ct) => CliOutput.RunAsync(async client =>
        {
            if (parse.GetValue(clear))
            {
                await client.SendAsync(HttpMethod.Delete, $"{Base}/cache", null, ct);
                Console.WriteLine("verdict cache emptied");
                return 0;
            }
            CliFormat.Show(await client.SendAsync(HttpMethod.Get, $"{Base}/cache", null, ct), parse.GetValue(json));
            return 0;
        }));
        return command;
    }
}
