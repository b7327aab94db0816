using Vigil.Analysis.Providers;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Analysis.Providers;

/// <summary>Pairs each configurable provider with the fake wire it talks to.</summary>
internal static class ProviderWires
{
    public const string ApiKey = "sk-test-3f9a1c0b7e6d5a4b3c2d1e0f";
    public const string Model = "test-model";

    /// <summary>provider name → fake wire: <c>custom</c> is any OpenAI-compatible server.</summary>
    public static string WireOf(string provider) => provider switch
    {
        "custom" => "openai",
        _ => provider,
    };

    public static TheoryData<string> All => new() { "openai", "azure-openai", "custom", "anthropic" };

    public static IRiskProvider Create(FakeLlmProvider fake, string provider, string model = Model, TimeProvider? time = null) =>
        RiskProviderFactory.Create(new ProviderSettings(provider, model, ApiKey, fake.BaseUrl), time ?? TimeProvider.System);

    public static ClassificationRequest Request(string input = "SELECT id FROM users WHERE id = 42", string? customPrompt = null) =>
        new("postgres", "prod-db", input, customPrompt);
}
