using Vigil.Analysis;
using Vigil.Analysis.Rules;
using Vigil.Connections;

namespace Vigil.Demo;

/// <summary>
/// <c>vigil serve --demo</c>'s shell target: a local sshd (<see cref="LocalSshd"/>, keys kept in
/// <c>DATA/demo-sshd</c>, a random loopback port) registered as the <c>ssh</c> connection <c>demo-shell</c> with its
/// host key pinned, under an analyzer rule <c>demo-shell</c> (low allow, medium require_approval, high block) unless a
/// rule governs it already, so <c>rm -rf /var/lib/postgresql</c> is blocked and a medium-risk command waits for a
/// reviewer. Only when <c>/usr/sbin/sshd</c> is installed (<see cref="LocalSshd.IsInstalled"/>).
/// </summary>
public static class DemoShell
{
    /// <summary>The connection (and rule) name the demo registers.</summary>
    public const string ConnectionName = "demo-shell";

    /// <summary>Starts sshd, then creates or updates connection <c>demo-shell</c> and, when it has none, its rule.</summary>
    public static async Task<LocalSshd> StartAsync(
        string dataDirectory, ConnectionRepository connections, RuleRepository rules, RuleSet ruleSet, TimeProvider time, CancellationToken cancellationToken)
    {
        var server = await LocalSshd.StartAsync(Path.Combine(dataDirectory, "demo-sshd"), null, cancellationToken);
        try
        {
            var now = time.GetUtcNow();
            var connection = new Connection(
                ConnectionName, ConnectionTypes.Ssh, "127.0.0.1", server.Port, "", server.User, null, Connections.SslMode.VerifyFull, null, [],
                ConnectionAccess.Modes, now, now, ReviewPolicy.Default, Ssh: new SshTarget(server.ClientPrivateKey, server.HostKeyLine));
            if (!await connections.CreateAsync(connection, cancellationToken))
            {
                var existing = await connections.FindAsync(ConnectionName, cancellationToken);
                // Keep what the admin set on it (access, reviews, recording); the target's address and keys are the demo's.
                await connections.UpdateAsync(existing is null ? connection : existing with
                {
                    Type = ConnectionTypes.Ssh, Host = connection.Host, Port = connection.Port, Database = "", Username = connection.Username,
                    Password = null, SslMode = connection.SslMode, SslRootCert = null, Http = null, Ssh = connection.Ssh, UpdatedAt = now,
                }, cancellationToken);
            }
            if (ruleSet.ForConnection(ConnectionName) is null)
            {
                var rule = new AnalysisRule(
                    ConnectionName, "The demo shell: low-risk commands run, medium-risk ones wait for a reviewer, high-risk ones are blocked.",
                    [ConnectionName], new RiskEvaluation(AnalysisAction.Allow, AnalysisAction.RequireApproval, AnalysisAction.Block), null,
                    AnalysisAction.RequireApproval, 10_000, NativeAnalysis.Static, now, now);
                await rules.SaveAsync(rule, replace: false, cancellationToken);
                await ruleSet.ReloadAsync(cancellationToken);
            }
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }
}
