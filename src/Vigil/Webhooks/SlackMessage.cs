using System.Text.Json.Nodes;

namespace Vigil.Webhooks;

/// <summary>
/// A Slack incoming-webhook body (Slack API "Sending messages using incoming webhooks", Block Kit):
/// <c>{text (the notification fallback), blocks:[header, section{fields: requester, connection, risk, status},
/// section{the command in a ``` code block}, section{*title* and explanation}, actions{button "Review" → url}]}</c>.
/// Text is mrkdwn with <c>&amp;</c>, <c>&lt;</c> and <c>&gt;</c> escaped as Slack requires.
/// </summary>
public static class SlackMessage
{
    /// <summary>The body of <paramref name="card"/>.</summary>
    public static JsonObject Render(ChatCard card)
    {
        var blocks = new JsonArray
        {
            new JsonObject { ["type"] = "header", ["text"] = Plain(Cut(card.Headline, 150)) },
        };
        if (card.Facts.Count > 0)
        {
            var fields = new JsonArray();
            foreach (var (name, value) in card.Facts.Take(10))
            {
                fields.Add(Markdown($"*{Escape(name)}*\n{Escape(value)}"));
            }
            blocks.Add(new JsonObject { ["type"] = "section", ["fields"] = fields });
        }
        if (card.Command is { } command)
        {
            blocks.Add(new JsonObject { ["type"] = "section", ["text"] = Markdown("```" + Escape(command).Replace("```", "`\u200b``", StringComparison.Ordinal) + "```") });
        }
        if (card.Title is not null || card.Explanation is not null)
        {
            var text = card.Title is null ? "" : $"*{Escape(card.Title)}*";
            if (card.Explanation is not null)
            {
                text += (text.Length > 0 ? "\n" : "") + Escape(card.Explanation);
            }
            blocks.Add(new JsonObject { ["type"] = "section", ["text"] = Markdown(text) });
        }
        if (card.Url is { } url)
        {
            blocks.Add(new JsonObject
            {
                ["type"] = "actions",
                ["elements"] = new JsonArray { new JsonObject { ["type"] = "button", ["text"] = Plain("Review"), ["url"] = url, ["style"] = "primary" } },
            });
        }
        return new JsonObject { ["text"] = Escape(card.Summary()), ["blocks"] = blocks };
    }

    private static JsonObject Plain(string text) => new() { ["type"] = "plain_text", ["text"] = text, ["emoji"] = false };

    private static JsonObject Markdown(string text) => new() { ["type"] = "mrkdwn", ["text"] = text };

    private static string Escape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    private static string Cut(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
