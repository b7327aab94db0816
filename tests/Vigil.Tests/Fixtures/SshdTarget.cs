using Vigil.Connections;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Vigil.Demo;

namespace Vigil.Tests.Fixtures;

/// <summary>
/// A real OpenSSH server (<see cref="LocalSshd"/>: Debian's sshd on a free loopback port, generated host and client
/// keys in a temporary directory) as the target of <c>ssh</c> connections. As root (CI) commands run as the
/// unprivileged <see cref="LocalSshd.RootUser"/> and a password login works too; otherwise as the current user, by key
/// only. <see cref="Scratch"/> is a directory every login user may write to, for marker files.
/// </summary>
public sealed class SshdTarget : IAsyncDisposable
{
    /// <summary>The login user's password (root runs only: see <see cref="PasswordWorks"/>).</summary>
    public const string Password = "ssh-Test-pw-5e21";

    private readonly string _root;

    private SshdTarget(string root, LocalSshd server)
    {
        _root = root;
        Server = server;
    }

    /// <summary>The server.</summary>
    public LocalSshd Server { get; }

    /// <summary>True when the login user has <see cref="Password"/> (the tests run as root).</summary>
    public bool PasswordWorks => Server.Password is not null;

    /// <summary>A world-writable directory for files commands create.</summary>
    public string Scratch => Path.Combine(_root, "scratch");

    /// <summary>Starts a server in a fresh temporary directory; without <paramref name="sftpSubsystem"/> its sshd names no sftp subsystem.</summary>
    public static async Task<SshdTarget> StartAsync(bool sftpSubsystem = true)
    {
        var root = Path.Combine(Path.GetTempPath(), "vigil-sshd-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        var scratch = Directory.CreateDirectory(Path.Combine(root, "scratch"));
        scratch.UnixFileMode = (UnixFileMode)0b111_111_111;
        var server = await LocalSshd.StartAsync(Path.Combine(root, "sshd"), Password, CancellationToken.None, sftpSubsystem);
        return new SshdTarget(root, server);
    }

    /// <summary>The <see cref="ConnectionBody"/> as the repository would return it (for code that takes a <see cref="Connection"/>, without a gateway).</summary>
    public Connection Connection(string name, Dictionary<string, object?>? extra = null)
    {
        var body = ConnectionBody(name, extra);
        var request = new ConnectionRequest(
            name, "ssh", (string?)body["host"], (int?)body["port"], null, (string?)body["username"], (string?)body.GetValueOrDefault("password"), null, null,
            PrivateKey: (string?)body.GetValueOrDefault("private_key"), HostKey: (string?)body.GetValueOrDefault("host_key"));
        var (connection, error) = request.ToConnection(null, DateTimeOffset.UtcNow);
        return connection ?? throw new InvalidOperationException(error);
    }

    /// <summary>
    /// The body of <c>POST /api/connections</c> for this server: key login, the ed25519 host key pinned; entries of
    /// <paramref name="extra"/> are added or replace (a null value removes the field).
    /// </summary>
    public Dictionary<string, object?> ConnectionBody(string name, Dictionary<string, object?>? extra = null)
    {
        var body = new Dictionary<string, object?>
        {
            ["name"] = name, ["type"] = "ssh", ["host"] = "127.0.0.1", ["port"] = Server.Port, ["username"] = Server.User,
            ["private_key"] = Server.ClientPrivateKey, ["host_key"] = Server.HostKeyLine,
        };
        foreach (var (key, value) in extra ?? [])
        {
            if (value is null)
            {
                body.Remove(key);
            }
            else
            {
                body[key] = value;
            }
        }
        return body;
    }

    /// <summary>Registers an ssh connection to this server on <paramref name="gateway"/> and returns its name.</summary>
    public async Task<string> RegisterAsync(GatewayFixture gateway, Dictionary<string, object?>? extra = null)
    {
        var name = Identities.Unique("ssh");
        var response = await gateway.Http.PostAsJsonAsync("/api/connections", ConnectionBody(name, extra));
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
        return name;
    }

    /// <summary>
    /// Registers an ssh connection under an analyzer rule (low allow, medium require_approval, high block) that
    /// <paramref name="accessGroups"/> may use; returns its name.
    /// </summary>
    public async Task<string> RegisterWithRuleAsync(GatewayFixture gateway, string[]? accessGroups = null, string[]? reviewGroups = null)
    {
        var name = await RegisterAsync(gateway, new() { ["access_groups"] = accessGroups ?? [], ["review_groups"] = reviewGroups ?? [] });
        var response = await gateway.Http.PostAsJsonAsync("/api/ai/session-analyzer/rules", new JsonObject
        {
            ["name"] = Identities.Unique("rule"),
            ["connection_names"] = new JsonArray(name),
            ["risk_evaluation"] = new JsonObject { ["low_risk_action"] = "allow", ["medium_risk_action"] = "require_approval", ["high_risk_action"] = "block" },
        });
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
        return name;
    }

    /// <summary>Generates a client key pair with ssh-keygen (<paramref name="arguments"/> choose type and format); returns the private key text and the public key line.</summary>
    public async Task<(string PrivateKey, string PublicKey)> GenerateKeyAsync(params string[] arguments)
    {
        var file = Path.Combine(_root, "key-" + Guid.NewGuid().ToString("N")[..8]);
        var result = await Processes.RunAsync("ssh-keygen", ["-q", "-N", "", "-f", file, .. arguments]);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"ssh-keygen failed: {result.Stderr}");
        }
        return (await File.ReadAllTextAsync(file), (await File.ReadAllTextAsync(file + ".pub")).Trim());
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
