using Vigil.Analysis.Providers;

namespace Vigil.Tests.Analysis.Providers;

public sealed class RiskProviderFactoryTests
{
    [Theory]
    [InlineData("openai", "gpt-4o-mini", "k", null, null)]
    [InlineData("anthropic", "claude-sonnet-4-5", "k", "https://proxy.example.com", null)]
    [InlineData("azure-openai", "gpt-4o", "k", "https://n.openai.azure.com/openai/deployments/d", null)]
    [InlineData("custom", "llama3", "k", "http://localhost:11434/v1", null)]
    [InlineData("gemini", "m", "k", null, "provider must be one of openai, anthropic, azure-openai, custom")]
    [InlineData("OpenAI", "m", "k", null, "provider must be one of openai, anthropic, azure-openai, custom")]
    [InlineData(null, "m", "k", null, "provider must be one of openai, anthropic, azure-openai, custom")]
    [InlineData("openai", " ", "k", null, "model is required")]
    [InlineData("openai", "m", "", null, "api_key is required")]
    [InlineData("azure-openai", "m", "k", null, "api_url is required for azure-openai")]
    [InlineData("custom", "m", "k", " ", "api_url is required for custom")]
    [InlineData("custom", "m", "k", "localhost:8080/v1", "api_url must be an absolute http or https URL")]
    [InlineData("openai", "m", "k", "ftp://example.com", "api_url must be an absolute http or https URL")]
    [InlineData("openai", "m", "k", "/v1", "api_url must be an absolute http or https URL")]
    [InlineData("custom", "m", "k", "https://user:pw@example.com/v1", "api_url must not contain user info, a query or a fragment")]
    [InlineData("azure-openai", "m", "k", "https://n.openai.azure.com/openai/deployments/d?api-version=1", "api_url must not contain user info, a query or a fragment")]
    public void Validate_explains_what_is_wrong(string? provider, string? model, string? key, string? url, string? expected)
    {
        RiskProviderFactory.Validate(provider, model, key, url).Should().Be(expected);
    }

    [Fact]
    public void Create_picks_the_wire_and_rejects_invalid_settings()
    {
        RiskProviderFactory.Create(new ProviderSettings("anthropic", "m", "k", null), TimeProvider.System).Should().BeOfType<AnthropicMessagesProvider>();
        foreach (var provider in new[] { "openai", "azure-openai", "custom" })
        {
            RiskProviderFactory.Create(new ProviderSettings(provider, "m", "k", "https://example.com/v1"), TimeProvider.System).Should().BeOfType<OpenAiChatProvider>();
        }
        var create = () => RiskProviderFactory.Create(new ProviderSettings("custom", "m", "secret-key", null), TimeProvider.System);
        create.Should().Throw<ArgumentException>().Which.Message.Should().StartWith("api_url is required for custom").And.NotContain("secret-key");
    }
}
