using System.Text.Json.Nodes;

namespace Vigil.Tests.Webhooks;

/// <summary>Slack and Microsoft Teams endpoints receive chat bodies of review events, unsigned, through the same outbox.</summary>
public sealed class ChatFormatTests(WebhookGateway gateway) : IClassFixture<WebhookGateway>
{
    private static readonly string LongCommand = "UPDATE accounts SET balance = 0 WHERE id IN (" + string.Join(", ", Enumerable.Range(1, 300)) + ") -- <b>&";

    private static object Review(string type = "onetime") => new
    {
        id = "rev-42", type, session_id = "s-42", connection = "prod-db", requested_by = "alice@example.com",
        input = LongCommand, input_sha256 = "ab12",
        ai_analysis = type == "jit" ? null : new { risk_level = "high", title = "Mass balance reset", explanation = "Zeroes the balance of 300 accounts." },
        reviewer_groups = new[] { "dba" }, min_approvals = 2, status = "pending", decisions = Array.Empty<object>(),
        expires_at = "2030-01-01T00:00:00Z", url = "https://vigil.example/reviews/rev-42",
    };

    private async Task<ReceivedWebhook> DeliverAsync(string format, object data, string type = "review.created")
    {
        var url = gateway.Receiver.NewUrl();
        await gateway.CreateWebhookAsync(url, [type], format);
        gateway.Publisher.Publish(type, data);
        return (await gateway.Receiver.WaitForAsync(url)).Single();
    }

    [Fact]
    public async Task Slack_gets_text_and_blocks_with_the_command_requester_connection_risk_analysis_and_a_review_button()
    {
        var request = await DeliverAsync("slack", Review());
        request.Header("webhook-signature").Should().BeNull("Slack does not verify Standard Webhooks signatures");
        request.Header("content-type").Should().StartWith("application/json");
        var body = request.Json;
        body["text"]!.GetValue<string>().Should().Contain("Command waiting for review").And.Contain("alice@example.com").And.Contain("prod-db").And.Contain("high");
        var blocks = body["blocks"]!.AsArray().Select(b => b!.AsObject()).ToList();
        blocks[0]["type"]!.GetValue<string>().Should().Be("header");
        blocks[0]["text"]!["type"]!.GetValue<string>().Should().Be("plain_text");

        var fields = blocks.Single(b => b.ContainsKey("fields"))["fields"]!.AsArray().Select(f => f!["text"]!.GetValue<string>()).ToList();
        fields.Should().Contain("*Requested by*\nalice@example.com").And.Contain("*Connection*\nprod-db").And.Contain("*Risk*\nhigh");

        var code = blocks.Select(b => b["text"]?["text"]?.GetValue<string>()).Single(t => t is not null && t.StartsWith("```", StringComparison.Ordinal))!;
        code.Should().EndWith("…```", "the command is cut to 500 characters");
        code.Length.Should().BeLessThanOrEqualTo(500 + 6 + 20);
        code.Should().StartWith("```UPDATE accounts SET balance = 0");
        code.Should().NotContain("<b>", "mrkdwn special characters are escaped");

        blocks.Select(b => b["text"]?["text"]?.GetValue<string>()).Should().Contain("*Mass balance reset*\nZeroes the balance of 300 accounts.");
        var button = blocks.Single(b => b["type"]!.GetValue<string>() == "actions")["elements"]![0]!;
        button["type"]!.GetValue<string>().Should().Be("button");
        button["url"]!.GetValue<string>().Should().Be("https://vigil.example/reviews/rev-42");
    }

    [Fact]
    public async Task Teams_gets_an_adaptive_card_with_facts_the_command_the_analysis_and_an_OpenUrl_action()
    {
        var request = await DeliverAsync("teams", Review());
        request.Header("webhook-signature").Should().BeNull();
        var body = request.Json;
        body["type"]!.GetValue<string>().Should().Be("message");
        var attachment = body["attachments"]!.AsArray().Single()!;
        attachment["contentType"]!.GetValue<string>().Should().Be("application/vnd.microsoft.card.adaptive");
        var card = attachment["content"]!.AsObject();
        card["type"]!.GetValue<string>().Should().Be("AdaptiveCard");
        card["version"]!.GetValue<string>().Should().Be("1.4");
        var items = card["body"]!.AsArray().Select(i => i!.AsObject()).ToList();
        items[0]["text"]!.GetValue<string>().Should().Be("Command waiting for review");
        var facts = items.Single(i => i["type"]!.GetValue<string>() == "FactSet")["facts"]!.AsArray()
            .ToDictionary(f => f!["title"]!.GetValue<string>(), f => f!["value"]!.GetValue<string>());
        facts["Requested by"].Should().Be("alice@example.com");
        facts["Connection"].Should().Be("prod-db");
        facts["Risk"].Should().Be("high");
        var command = items.Single(i => i["type"]!.GetValue<string>() == "Container")["items"]![0]!;
        command["fontType"]!.GetValue<string>().Should().Be("Monospace");
        command["text"]!.GetValue<string>().Should().HaveLength(500).And.EndWith("…").And.StartWith("UPDATE accounts");
        items.Select(i => i["text"]?.GetValue<string>()).Should().Contain("Mass balance reset").And.Contain("Zeroes the balance of 300 accounts.");
        var action = card["actions"]!.AsArray().Single()!;
        action["type"]!.GetValue<string>().Should().Be("Action.OpenUrl");
        action["title"]!.GetValue<string>().Should().Be("Review");
        action["url"]!.GetValue<string>().Should().Be("https://vigil.example/reviews/rev-42");
    }

    [Fact]
    public async Task An_access_request_without_analysis_and_other_events_still_render()
    {
        var jit = (await DeliverAsync("slack", Review("jit"))).Json;
        jit["text"]!.GetValue<string>().Should().StartWith("Access request waiting for review");
        jit.ToJsonString().Should().NotContain("*Risk*");

        var session = (await DeliverAsync("teams", new { id = "s-9", connection = "prod-db", user = "bob" }, "session.open")).Json;
        var items = session["attachments"]![0]!["content"]!["body"]!.AsArray();
        items[0]!["text"]!.GetValue<string>().Should().Be("Vigil: session.open");
        items.ToJsonString().Should().Contain("bob").And.Contain("prod-db");
    }
}
