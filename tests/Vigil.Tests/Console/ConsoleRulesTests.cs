using Microsoft.AspNetCore.Http;
using Vigil.WebConsole;

namespace Vigil.Tests.WebConsole;

/// <summary>The console's small decision rules: which requests a review link redirects, and which return paths a login follows.</summary>
public sealed class ConsoleRulesTests
{
    [Theory]
    [InlineData("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8", true)] // Chromium
    [InlineData("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", true)] // Firefox
    [InlineData("text/html", true)]
    [InlineData("text/*", true)]
    [InlineData("text/html;q=0.9, application/json;q=0.8", true)]
    [InlineData("application/json", false)]
    [InlineData("*/*", false)]
    [InlineData("", false)]
    [InlineData("text/html, application/json", false)]
    [InlineData("application/json, text/html;q=0.5", false)]
    [InlineData("text/html;q=0, */*", false)]
    [InlineData("application/problem+json", false)]
    [InlineData("not a media type;;;", false)]
    public void A_review_link_redirects_only_clients_that_prefer_html(string accept, bool redirected)
    {
        var http = new DefaultHttpContext();
        http.Request.Headers.Accept = accept;
        ReviewLinkNegotiation.PrefersHtml(http.Request).Should().Be(redirected);
    }

    [Theory]
    [InlineData("/sessions?type=exec", "/sessions?type=exec")]
    [InlineData("/reviews/abc", "/reviews/abc")]
    [InlineData("/", "/")]
    [InlineData(null, "/")]
    [InlineData("", "/")]
    [InlineData("//evil.example/x", "/")]
    [InlineData("/\\evil.example", "/")]
    [InlineData("https://evil.example/", "/")]
    [InlineData("/redirect?to=https://evil.example", "/")]
    [InlineData("sessions", "/")]
    [InlineData("/\t/evil.example", "/")]
    [InlineData("/\n/evil.example", "/")]
    public void A_login_returns_only_to_a_path_on_this_site(string? returnTo, string expected) =>
        ConsoleAuthentication.LocalPath(returnTo).Should().Be(expected);
}
