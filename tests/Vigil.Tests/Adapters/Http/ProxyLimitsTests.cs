using Vigil.Adapters.Http;

namespace Vigil.Tests.Adapters.Http;

/// <summary>The proxy's limits from <c>VIGIL_PROXY_*</c>: sizes with or without a binary suffix, durations, defaults, and errors naming the variable.</summary>
public sealed class ProxyLimitsTests
{
    private static ProxyLimits From(params (string Name, string Value)[] variables) =>
        ProxyLimits.FromEnvironment(name => variables.FirstOrDefault(v => v.Name == name).Value);

    [Fact]
    public void Sizes_and_durations_are_read_and_unset_ones_keep_their_defaults()
    {
        var limits = From(
            ("VIGIL_PROXY_MAX_BODY", "1GiB"), ("VIGIL_PROXY_ANALYZED_BODY", "32KiB"), ("VIGIL_PROXY_MASKING_HOLD", "4194304"),
            ("VIGIL_PROXY_TIMEOUT", "30s"), ("VIGIL_PROXY_STREAM_TIMEOUT", "2h"));

        limits.MaxRequestBodyBytes.Should().Be(1L << 30);
        limits.AnalyzedBodyBytes.Should().Be(32 * 1024);
        limits.MaskingHoldBytes.Should().Be(4 * 1024 * 1024);
        limits.Activity.Should().Be(TimeSpan.FromSeconds(30));
        limits.StreamingActivity.Should().Be(TimeSpan.FromHours(2));
        limits.RecordedResponseBytes.Should().Be(new ProxyLimits().RecordedResponseBytes);
        limits.IdleWindow.Should().Be(TimeSpan.FromSeconds(10));
        From().Should().Be(new ProxyLimits());
    }

    [Theory]
    [InlineData("VIGIL_PROXY_MAX_BODY", "0")]
    [InlineData("VIGIL_PROXY_MAX_BODY", "-5")]
    [InlineData("VIGIL_PROXY_MAX_BODY", "10 GB")]
    [InlineData("VIGIL_PROXY_ANALYZED_BODY", "4GiB")]
    [InlineData("VIGIL_PROXY_MASKING_HOLD", "lots")]
    [InlineData("VIGIL_PROXY_TIMEOUT", "soon")]
    [InlineData("VIGIL_PROXY_SESSION_IDLE", "0s")]
    public void A_bad_value_is_an_error_naming_the_variable(string name, string value)
    {
        var read = () => From((name, value));

        read.Should().Throw<FormatException>().WithMessage($"{name}: '{value}'*");
    }
}
