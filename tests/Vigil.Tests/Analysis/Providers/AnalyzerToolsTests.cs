using System.Text.Json;
using Vigil.Analysis;
using Vigil.Analysis.Providers;

namespace Vigil.Tests.Analysis.Providers;

public sealed class AnalyzerToolsTests
{
    [Fact]
    public void Names_map_to_levels_both_ways()
    {
        AnalyzerTools.Names.Should().Equal("LowRiskAISessionAnalyzer", "MediumRiskAISessionAnalyzer", "HighRiskAISessionAnalyzer");
        foreach (var level in Enum.GetValues<RiskLevel>())
        {
            AnalyzerTools.TryGetLevel(AnalyzerTools.Name(level), out var parsed).Should().BeTrue();
            parsed.Should().Be(level);
        }
        AnalyzerTools.TryGetLevel("lowriskaisessionanalyzer", out _).Should().BeFalse();
        AnalyzerTools.TryGetLevel(null, out _).Should().BeFalse();
    }

    [Fact]
    public void Schema_requires_title_and_explanation()
    {
        using var schema = JsonDocument.Parse(AnalyzerTools.ParametersSchemaJson);
        var root = schema.RootElement;
        root.GetProperty("type").GetString().Should().Be("object");
        root.GetProperty("required").EnumerateArray().Select(e => e.GetString()).Should().Equal("title", "explanation");
        root.GetProperty("properties").GetProperty("title").GetProperty("description").GetString().Should().Contain("4 words");
        root.GetProperty("properties").GetProperty("explanation").GetProperty("description").GetString().Should().Contain("30 words");
        root.GetProperty("properties").GetProperty("summary").GetProperty("type").GetString().Should().Be("string");
    }

    [Fact]
    public void Words_beyond_the_limits_are_cut_not_rejected()
    {
        var arguments = AnalyzerTools.ParseArguments(AnalyzerTools.High, JsonSerializer.Serialize(new
        {
            title = "  one two\tthree four five six ",
            explanation = string.Join("  ", Enumerable.Range(1, 31)),
            summary = " kept ",
        }));

        arguments.Title.Should().Be("one two three four");
        arguments.Explanation.Should().Be(string.Join(' ', Enumerable.Range(1, 30)));
        arguments.Summary.Should().Be("kept");
    }

    [Fact]
    public void Short_values_are_kept_whole()
    {
        var arguments = AnalyzerTools.ParseArguments(AnalyzerTools.Low, """{"title":"Read one row","explanation":"Primary-key lookup.","summary":null}""");

        arguments.Should().Be(new ToolArguments("Read one row", "Primary-key lookup.", null));
    }

    [Theory]
    [InlineData(null, "without arguments")]
    [InlineData("", "without arguments")]
    [InlineData("{", "not JSON")]
    [InlineData("\"text\"", "not a JSON object")]
    [InlineData("""{"explanation":"x"}""", "without \"title\"")]
    [InlineData("""{"title":"x"}""", "without \"explanation\"")]
    [InlineData("""{"title":3,"explanation":"x"}""", "\"title\" that is not a non-empty string")]
    [InlineData("""{"title":"x","explanation":""}""", "\"explanation\" that is not a non-empty string")]
    public void Bad_arguments_are_errors(string? json, string reason)
    {
        var parse = () => AnalyzerTools.ParseArguments(AnalyzerTools.Medium, json);

        parse.Should().Throw<ProviderException>().Which.Message.Should().Contain(reason);
    }

    [Fact]
    public void Summary_of_the_wrong_type_is_ignored()
    {
        AnalyzerTools.ParseArguments(AnalyzerTools.Low, """{"title":"a","explanation":"b","summary":{"x":1}}""").Summary.Should().BeNull();
    }

    [Fact]
    public void Resolve_rejects_unknown_and_conflicting_calls_and_accepts_repeats()
    {
        const string args = """{"title":"t","explanation":"e"}""";
        var repeat = AnalyzerTools.Resolve([(AnalyzerTools.High, args), (AnalyzerTools.High, """{"title":"u","explanation":"f"}""")], null, 1, 2);
        repeat.Should().Be(new ProviderVerdict(RiskLevel.High, "t", "e", null, 1, 2));

        var none = () => AnalyzerTools.Resolve([], "  ", null, null);
        none.Should().Throw<ProviderException>().WithMessage("the model made no tool call");
        var conflicting = () => AnalyzerTools.Resolve([(AnalyzerTools.Low, args), (AnalyzerTools.Medium, args)], null, null, null);
        conflicting.Should().Throw<ProviderException>().WithMessage("*conflicting calls*");
        var unknown = () => AnalyzerTools.Resolve([(AnalyzerTools.Low, args), ("Other", args)], null, null, null);
        unknown.Should().Throw<ProviderException>().WithMessage("the model called an unknown tool: Other");
    }
}
