using System.Text;
using System.Text.Json;
using Vigil.Audit;

namespace Vigil.Tests.Audit;

/// <summary><see cref="AuditRedaction"/>: names that count as secrets, nesting, non-JSON, and every cut of a long body.</summary>
public sealed class AuditRedactionTests
{
    private static string? Redact(string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        return AuditRedaction.Redact(bytes, bytes.Length);
    }

    [Theory]
    [InlineData("password", true)]
    [InlineData("new_password", true)]
    [InlineData("Password", true)]
    [InlineData("client_secret", true)]
    [InlineData("clientSecret", true)]
    [InlineData("api_key", true)]
    [InlineData("apiKey", true)]
    [InlineData("API-KEY", true)]
    [InlineData("private_key", true)]
    [InlineData("privateKey", true)]
    [InlineData("token", true)]
    [InlineData("refresh_token", true)]
    [InlineData("Authorization", true)]
    [InlineData("credentials", true)]
    [InlineData("has_password", true)]
    [InlineData("headers", true)]
    [InlineData("client_key", true)]
    [InlineData("client_certificate", false)]
    [InlineData("name", false)]
    [InlineData("api_url", false)]
    [InlineData("url", true)]
    [InlineData("URL", true)]
    [InlineData("key", false)]
    [InlineData("ssl_root_cert", false)]
    [InlineData("", false)]
    public void Sensitive_names(string name, bool sensitive) => AuditRedaction.IsSensitive(name).Should().Be(sensitive);

    [Fact]
    public void Secrets_are_replaced_at_any_depth_and_the_rest_is_kept()
    {
        Redact("""{"name":"a","Password":"p1","nested":{"list":[{"api_key":"k"},{"ok":true,"n":1.5e3}],"token":{"deep":["x"]}},"n":null}""")
            .Should().Be("""{"name":"a","Password":"[REDACTED]","nested":{"list":[{"api_key":"[REDACTED]"},{"ok":true,"n":1.5e3}],"token":"[REDACTED]"},"n":null}""");
        Redact("""[{"secret":1},2,"three"]""").Should().Be("""[{"secret":"[REDACTED]"},2,"three"]""");
        Redact("\"just a string\"").Should().Be("\"just a string\"");
        Redact("\uFEFF{\"a\":1}").Should().Be("{\"a\":1}");
        Redact("""{"pass\u0077ord":"escaped name"}""").Should().Be("""{"password":"[REDACTED]"}""");
    }

    [Theory]
    [InlineData("password=hunter2")]
    [InlineData("{\"password\":\"hunter2\"")]
    [InlineData("{\"password\":\"hunter2\"} trailing")]
    [InlineData("{'password':'hunter2'}")]
    [InlineData("{\"a\":1, /* c */ \"password\":\"hunter2\"}")]
    [InlineData("   ")]
    public void Bodies_that_are_not_json_keep_only_their_length(string body) =>
        Redact(body).Should().Be($$"""{"unparsed":true,"length":{{Encoding.UTF8.GetByteCount(body)}}}""");

    [Fact]
    public void Invalid_utf8_and_deep_nesting_are_unparsed()
    {
        byte[] bad = [(byte)'"', 0xC3, 0x28, (byte)'"'];
        AuditRedaction.Redact(bad, bad.Length).Should().Be("""{"unparsed":true,"length":4}""");
        var deep = new string('[', 100) + new string(']', 100);
        Redact(deep).Should().Be("""{"unparsed":true,"length":200}""");
    }

    [Fact]
    public void Empty_body_is_null() => AuditRedaction.Redact([], 0).Should().BeNull();

    /// <summary>Every prefix of a body, as if it were the 16 KiB kept of a longer one: valid JSON, no secret, not even part of one.</summary>
    [Fact]
    public void Every_cut_is_valid_json_without_any_part_of_a_secret()
    {
        const string body = """{"name":"conn-1","port":5432,"tags":["a",{"b":[1,2,{"client_secret":"s3cr3tvalue"}]}],"password":"s3cr3tvalue","credentials":{"user":"u","pw":"s3cr3tvalue"},"api_key":["s3cr3tvalue"],"tail":"end"}""";
        var bytes = Encoding.UTF8.GetBytes(body);
        for (var cut = 1; cut < bytes.Length; cut++)
        {
            var redacted = AuditRedaction.Redact(bytes.AsSpan(0, cut), bytes.Length);
            redacted.Should().NotBeNull();
            using var document = JsonDocument.Parse(redacted!);
            var root = document.RootElement;
            root.GetProperty("truncated").GetBoolean().Should().BeTrue();
            root.GetProperty("length").GetInt64().Should().Be(bytes.Length);
            foreach (var fragment in new[] { "s3cr", "3tva", "value" })
            {
                redacted.Should().NotContain(fragment, $"cut at {cut}: {redacted}");
            }
            if (root.GetProperty("body").ValueKind == JsonValueKind.Object && body[..cut].Contains("\"port\":5432,", StringComparison.Ordinal))
            {
                root.GetProperty("body").GetProperty("port").GetInt32().Should().Be(5432, $"cut at {cut}");
            }
        }
        Redact(body).Should().Be("""{"name":"conn-1","port":5432,"tags":["a",{"b":[1,2,{"client_secret":"[REDACTED]"}]}],"password":"[REDACTED]","credentials":"[REDACTED]","api_key":"[REDACTED]","tail":"end"}""");
    }
}
