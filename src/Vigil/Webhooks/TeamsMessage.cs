using System.Text.Json.Nodes;

namespace Vigil.Webhooks;

/// <summary>
/// A Microsoft Teams incoming-webhook body carrying an Adaptive Card 1.4 (Microsoft Learn "Create an Incoming Webhook",
/// adaptivecards.io schema): <c>{type:"message", attachments:[{contentType:"application/vnd.microsoft.card.adaptive",
/// content:{type:"AdaptiveCard", version:"1.4", body:[TextBlock headline, FactSet{requester, connection, risk, status},
/// Container{monospace TextBlock: the command}, TextBlock title, TextBlock explanation],
/// actions:[{type:"Action.OpenUrl", title:"Review", url}]}}]}</c>.
/// </summary>
public static class TeamsMessage
{
    /// <summary>The body of <paramref name="card"/>.</summary>
    public static JsonObject Render(ChatCard card)
    {
        var body = new JsonArray
        {
            new JsonObject { ["type"] = "TextBlock", ["text"] = card.Headline, ["size"] = "Large", ["weight"] = "Bolder", ["wrap"] = true },
        };
        if (card.Facts.Count > 0)
        {
            var facts = new JsonArray();
            foreach (var (name, value) in card.Facts)
            {
                facts.Add(new JsonObject { ["title"] = name, ["value"] = value });
            }
            body.Add(new JsonObject { ["type"] = "FactSet", ["facts"] = facts });
        }
        if (card.Command is { } command)
        {
            body.Add(new JsonObject
            {
                ["type"] = "Container",
                ["style"] = "emphasis",
                ["items"] = new JsonArray { new JsonObject { ["type"] = "TextBlock", ["text"] = command, ["fontType"] = "Monospace", ["wrap"] = true } },
            });
        }
        if (card.Title is { } title)
        {
            body.Add(new JsonObject { ["type"] = "TextBlock", ["text"] = title, ["weight"] = "Bolder", ["wrap"] = true });
        }
        if (card.Explanation is { } explanation)
        {
            body.Add(new JsonObject { ["type"] = "TextBlock", ["text"] = explanation, ["wrap"] = true });
        }
        var content = new JsonObject
        {
            ["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json",
            ["type"] = "AdaptiveCard",
            ["version"] = "1.4",
            ["body"] = body,
        };
        if (card.Url is { } url)
        {
            content["actions"] = new JsonArray { new JsonObject { ["type"] = "Action.OpenUrl", ["title"] = "Review", ["url"] = url } };
        }
        return new JsonObject
        {
            ["type"] = "message",
            ["attachments"] = new JsonArray
            {
                new JsonObject { ["contentType"] = "application/vnd.microsoft.card.adaptive", ["contentUrl"] = null, ["content"] = content },
            },
        };
    }
}
