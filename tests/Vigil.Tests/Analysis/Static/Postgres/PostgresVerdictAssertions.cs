using Vigil.Analysis;
using Vigil.Analysis.Static;

namespace Vigil.Tests.Analysis.Static.Postgres;

internal static class PostgresVerdictAssertions
{
    private static readonly char[] Whitespace = [' ', '\t', '\n'];

    public static void ShouldBeWellFormed(StaticVerdict verdict, string input)
    {
        verdict.Title.Should().NotBeNullOrWhiteSpace();
        verdict.Title.Split(Whitespace, StringSplitOptions.RemoveEmptyEntries).Length.Should().BeLessThanOrEqualTo(4, "title of {0}: {1}", input, verdict.Title);
        verdict.Explanation.Split(Whitespace, StringSplitOptions.RemoveEmptyEntries).Length.Should().BeLessThanOrEqualTo(30, "explanation of {0}", input);
        verdict.Evidence.Should().NotBeNull();
        if (verdict.Level != RiskLevel.Low)
        {
            verdict.Evidence.Should().NotBeEmpty("a {0} verdict names its construct: {1}", verdict.Level, input);
        }

        if (verdict.Certain)
        {
            verdict.Level.Should().Be(RiskLevel.High);
        }
    }
}
