using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Cli;

/// <summary>
/// Runs the real <c>vigil</c> binary against the shared gateway with a private <c>XDG_CONFIG_HOME</c>/<c>HOME</c>
/// (deleted on dispose), so no stored login of the real user is read or written.
/// </summary>
public sealed class CliRunner(GatewayFixture gateway) : IDisposable
{
    /// <summary>The process's <c>HOME</c> (a fresh temporary directory).</summary>
    public string Home { get; } = Path.Combine(Path.GetTempPath(), "vigil-cli-" + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>The process's <c>XDG_CONFIG_HOME</c> (where <c>vigil login</c> stores credentials).</summary>
    public string ConfigHome => Path.Combine(Home, "config");

    /// <summary>
    /// Runs <c>vigil ARGS</c> with <paramref name="token"/> as VIGIL_TOKEN and <paramref name="gatewayUrl"/> as
    /// VIGIL_GATEWAY_URL (null: the fixture's gateway); an empty value is what the CLI treats as unset. With
    /// <paramref name="umask"/> the process starts under that umask.
    /// </summary>
    public Task<Processes.Result> RunAsync(
        IEnumerable<string> args, string? stdin = null, string token = GatewayFixture.Token, string? gatewayUrl = null,
        IDictionary<string, string>? environment = null, string? umask = null)
    {
        string[] command = [Processes.VigilDll, .. args];
        var variables = Environment(token, gatewayUrl, environment);
        return umask is null
            ? Processes.RunAsync("dotnet", command, variables, stdin)
            : Processes.RunAsync("sh", ["-c", $"umask {umask}; exec dotnet \"$@\"", "sh", .. command], variables, stdin);
    }

    /// <summary>
    /// Starts <c>vigil ARGS</c> in the background (stdin closed) with the environment of <see cref="RunAsync"/>, for
    /// commands that wait (e.g. <c>vigil exec</c> waiting for a review) while the test acts or signals them.
    /// </summary>
    public Processes.Running Start(IEnumerable<string> args, string token = GatewayFixture.Token) =>
        Processes.Start("dotnet", [Processes.VigilDll, .. args], Environment(token, null, null));

    private Dictionary<string, string> Environment(string token, string? gatewayUrl, IDictionary<string, string>? environment)
    {
        var variables = new Dictionary<string, string>
        {
            ["VIGIL_TOKEN"] = token,
            ["VIGIL_GATEWAY_URL"] = gatewayUrl ?? gateway.HttpAddress,
            ["XDG_CONFIG_HOME"] = ConfigHome,
            ["HOME"] = Home,
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            variables[key] = value;
        }
        return variables;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            Directory.Delete(Home, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
