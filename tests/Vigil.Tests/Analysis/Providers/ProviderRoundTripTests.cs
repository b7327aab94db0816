using System.Text.Json.Nodes;
using Vigil.Analysis;
using Vigil.Analysis.Providers;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Analysis.Providers;

public sealed class ProviderRoundTripTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);

    public static TheoryData<string, RiskLevel> ProvidersAndLevels()
    {
        var data = new TheoryData<string, RiskLevel>();
        foreach (var provider in new[] { "openai", "azure-openai", "custom", "anthropic" })
        {
            foreach (var level in Enum.GetValues<RiskLevel>())
            {
                data.Add(provider, level);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(ProvidersAndLevels))]
    public async Task Each_level_round_trips(string provider, RiskLevel level)
    {
        await using var fake = await FakeLlmProvider.StartAsync(ProviderWires.WireOf(provider));
        fake.Responder = _ => FakeLlmReply.Verdict(level, "Some title", "Some explanation here.", "A summary.") with { Usage = (321, 45) };

        var verdict = await ProviderWires.Create(fake, provider).ClassifyAsync(ProviderWires.Request(), s_timeout, CancellationToken.None);

        verdict.Should().Be(new ProviderVerdict(level, "Some title", "Some explanation here.", "A summary.", 321, 45));
    }

    [Theory]
    [MemberData(nameof(ProviderWires.All), MemberType = typeof(ProviderWires))]
    public async Task Request_carries_tools_forced_choice_prompts_model_and_key(string provider)
    {
        await using var fake = await FakeLlmProvider.StartAsync(ProviderWires.WireOf(provider));
        fake.ExpectedApiKey = ProviderWires.ApiKey;
        var request = ProviderWires.Request("DELETE FROM orders WHERE id = 7", customPrompt: "Treat the billing schema as sensitive.");

        await ProviderWires.Create(fake, provider).ClassifyAsync(request, s_timeout, CancellationToken.None);

        var sent = fake.Requests.Should().ContainSingle().Subject;
        sent.Method.Should().Be("POST");
        sent.Model.Should().Be(ProviderWires.Model);
        sent.ApiKey.Should().Be(ProviderWires.ApiKey);
        sent.ToolNames.Should().Equal("LowRiskAISessionAnalyzer", "MediumRiskAISessionAnalyzer", "HighRiskAISessionAnalyzer");
        foreach (var tool in sent.ToolNames)
        {
            var schema = sent.ToolSchema(tool)!;
            schema["type"]!.GetValue<string>().Should().Be("object");
            schema["properties"]!.AsObject().Select(p => p.Key).Should().BeEquivalentTo("title", "explanation", "summary");
            schema["required"]!.AsArray().Select(r => r!.GetValue<string>()).Should().BeEquivalentTo("title", "explanation");
            schema.ToJsonString().Should().Be(JsonNode.Parse(AnalyzerTools.ParametersSchemaJson)!.ToJsonString());
        }
        sent.SystemPrompt.Should().Be(SystemPrompt.Build("Treat the billing schema as sensitive."));
        sent.UserMessage.Should().Be(SystemPrompt.UserMessage(request));
        sent.UserMessage.Should().Contain("<command>\nDELETE FROM orders WHERE id = 7\n</command>");
        sent.UserMessage.Should().Contain("postgres").And.Contain("prod-db");
        if (provider == "anthropic")
        {
            sent.Path.Should().Be("/v1/messages");
            sent.ToolChoiceJson.Should().Be("""{"type":"any"}""");
            sent.Json!["max_tokens"]!.GetValue<int>().Should().Be(AnthropicMessagesProvider.MaxTokens);
            sent.Header("anthropic-version").Should().NotBeNullOrEmpty();
            // The SDK's documented behaviour for ClientOptions.ApiKey in 13.x.
            sent.Header("Authorization").Should().Be("Bearer " + ProviderWires.ApiKey);
            sent.Json["system"]!.GetValue<string>().Should().Be(SystemPrompt.Build("Treat the billing schema as sensitive."));
        }
        else
        {
            sent.ToolChoiceJson.Should().Be("\"required\"");
            sent.Json!["temperature"]!.GetValue<double>().Should().Be(0);
            sent.Json["tools"]!.AsArray().Should().OnlyContain(t => t!["type"]!.GetValue<string>() == "function");
            ((JsonArray)sent.Json["messages"]!).Select(m => m!["role"]!.GetValue<string>()).Should().Equal("system", "user");
        }
        if (provider == "azure-openai")
        {
            sent.Path.Should().Be($"/openai/deployments/{FakeLlmProvider.AzureDeployment}/chat/completions");
            sent.Query.Should().Be("?api-version=" + OpenAiChatProvider.AzureApiVersion);
            sent.Header("api-key").Should().Be(ProviderWires.ApiKey);
            sent.Header("Authorization").Should().BeNull();
        }
        else if (provider != "anthropic")
        {
            sent.Path.Should().Be("/v1/chat/completions");
            sent.Header("Authorization").Should().Be("Bearer " + ProviderWires.ApiKey);
        }
    }

    [Theory]
    [MemberData(nameof(ProviderWires.All), MemberType = typeof(ProviderWires))]
    public async Task Usage_is_null_when_the_provider_reports_none(string provider)
    {
        await using var fake = await FakeLlmProvider.StartAsync(ProviderWires.WireOf(provider));
        fake.Responder = _ => FakeLlmReply.Verdict(RiskLevel.Medium, "Full scan", "Scans a large table.") with { Usage = null };

        var verdict = await ProviderWires.Create(fake, provider).ClassifyAsync(ProviderWires.Request(), s_timeout, CancellationToken.None);

        verdict.Level.Should().Be(RiskLevel.Medium);
        verdict.Summary.Should().BeNull();
        verdict.InputTokens.Should().BeNull();
        verdict.OutputTokens.Should().BeNull();
    }

    [Theory]
    [InlineData("gpt-4o-mini", true)]
    [InlineData("o3-mini", false)]
    [InlineData("gpt-5", false)]
    public async Task Temperature_is_left_out_for_reasoning_models(string model, bool sent)
    {
        await using var fake = await FakeLlmProvider.StartAsync("openai");

        await ProviderWires.Create(fake, "openai", model).ClassifyAsync(ProviderWires.Request(), s_timeout, CancellationToken.None);

        fake.Requests.Single().Json!.ContainsKey("temperature").Should().Be(sent);
    }

    [Theory]
    [MemberData(nameof(ProviderWires.All), MemberType = typeof(ProviderWires))]
    public async Task Long_title_and_explanation_are_cut_to_4_and_30_words(string provider)
    {
        await using var fake = await FakeLlmProvider.StartAsync(ProviderWires.WireOf(provider));
        var words = Enumerable.Range(1, 40).Select(i => $"w{i}").ToArray();
        fake.Responder = _ => FakeLlmReply.Verdict(RiskLevel.High, "Drop the  whole\nproduction table now", string.Join(' ', words));

        var verdict = await ProviderWires.Create(fake, provider).ClassifyAsync(ProviderWires.Request(), s_timeout, CancellationToken.None);

        verdict.Title.Should().Be("Drop the whole production");
        verdict.Explanation.Should().Be(string.Join(' ', words.Take(30)));
    }
}
