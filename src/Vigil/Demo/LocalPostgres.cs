using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Vigil.Demo;

/// <summary>How to set up a <see cref="LocalPostgres"/> cluster.</summary>
/// <param name="DataDirectory">Cluster directory; created (and replaced when it exists).</param>
/// <param name="SuperuserPassword">Password of the <c>postgres</c> superuser (SCRAM-SHA-256).</param>
/// <param name="HbaLines">pg_hba.conf lines placed before the default SCRAM rule (e.g. per-user md5/password rules).</param>
/// <param name="TlsCertificatePem">Server certificate; with <paramref name="TlsKeyPem"/> turns <c>ssl=on</c>.</param>
/// <param name="TlsKeyPem">Server private key.</param>
public sealed record LocalPostgresOptions(
    string DataDirectory,
    string SuperuserPassword,
    IReadOnlyList<string>? HbaLines = null,
    string? TlsCertificatePem = null,
    string? TlsKeyPem = null);

/// <summary>
/// A throwaway PostgreSQL server from the machine's server binaries (<c>initdb</c>/<c>postgres</c> on PATH or under
/// <c>/usr/lib/postgresql/*/bin</c>), listening on 127.0.0.1 on a free port with no Unix socket. PostgreSQL refuses
/// to run as root, so as root the cluster is owned by and run as the <c>postgres</c> user through <c>runuser</c>.
/// Used by <c>vigil serve --demo</c> and by the test fixture.
/// </summary>
public sealed class LocalPostgres : IAsyncDisposable
{
    private readonly string _bin;
    private readonly string _dataDirectory;
    private bool _stopped;

    private LocalPostgres(string bin, string dataDirectory, int port)
    {
        _bin = bin;
        _dataDirectory = dataDirectory;
        Port = port;
    }

    /// <summary>The TCP port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>The directory holding <c>initdb</c>, <c>pg_ctl</c> and <c>postgres</c>, or null when none is installed.</summary>
    public static string? FindBinDirectory()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            if (File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl")))
            {
                return Path.GetDirectoryName(Path.GetFullPath(ResolveLink(Path.Combine(dir, "initdb"))));
            }
        }
        return Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
                .FirstOrDefault()
            : null;
    }

    /// <summary>Creates the cluster, starts it and waits until it accepts connections.</summary>
    /// <exception cref="InvalidOperationException">No server binaries, or initdb/pg_ctl failed (their output is included).</exception>
    public static async Task<LocalPostgres> StartAsync(LocalPostgresOptions options, CancellationToken cancellationToken)
    {
        var bin = FindBinDirectory() ?? throw new InvalidOperationException("PostgreSQL server binaries not found (install the postgresql package)");
        var dir = Path.GetFullPath(options.DataDirectory);
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }
        Directory.CreateDirectory(dir);
        var passwordFile = Path.Combine(dir, "..", Path.GetFileName(dir) + ".pw");
        await File.WriteAllTextAsync(passwordFile, options.SuperuserPassword + "\n", cancellationToken);
        await ChownAsync(passwordFile, cancellationToken);
        await ChownAsync(dir, cancellationToken);
        try
        {
            await RunAsync(Path.Combine(bin, "initdb"), ["-D", dir, "-U", "postgres", "--pwfile", passwordFile, "-A", "scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync"], cancellationToken);
        }
        finally
        {
            File.Delete(passwordFile);
        }
        var hba = new StringBuilder();
        foreach (var line in options.HbaLines ?? [])
        {
            hba.AppendLine(line);
        }
        hba.AppendLine("host all all 127.0.0.1/32 scram-sha-256");
        hba.AppendLine("host all all ::1/128 scram-sha-256");
        await File.WriteAllTextAsync(Path.Combine(dir, "pg_hba.conf"), hba.ToString(), cancellationToken);
        var settings = new StringBuilder("listen_addresses = '127.0.0.1'\nunix_socket_directories = ''\nfsync = off\nmax_connections = 200\n");
        if (options.TlsCertificatePem is not null && options.TlsKeyPem is not null)
        {
            await File.WriteAllTextAsync(Path.Combine(dir, "server.crt"), options.TlsCertificatePem, cancellationToken);
            Security.SecretFile.Write(Path.Combine(dir, "server.key"), options.TlsKeyPem);
            settings.Append("ssl = on\n");
        }
        await File.AppendAllTextAsync(Path.Combine(dir, "postgresql.conf"), settings.ToString(), cancellationToken);
        await ChownAsync(dir, cancellationToken);
        var port = FreePort();
        await RunAsync(Path.Combine(bin, "pg_ctl"), ["-D", dir, "-l", Path.Combine(dir, "server.log"), "-o", $"-p {port}", "-w", "-t", "60", "start"], cancellationToken);
        return new LocalPostgres(bin, dir, port);
    }

    /// <summary>Stops the server (fast shutdown). The cluster directory stays for inspection.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stopped)
        {
            return;
        }
        _stopped = true;
        await RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", _dataDirectory, "-m", "immediate", "-w", "stop"], CancellationToken.None);
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    private static bool IsRoot => Environment.UserName == "root";

    private static Task ChownAsync(string path, CancellationToken cancellationToken) =>
        IsRoot ? RunAsync("chown", ["-R", "postgres:postgres", path], cancellationToken, asPostgres: false) : Task.CompletedTask;

    private static async Task RunAsync(string file, IReadOnlyList<string> arguments, CancellationToken cancellationToken, bool asPostgres = true)
    {
        var start = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        if (asPostgres && IsRoot)
        {
            start.FileName = "runuser";
            foreach (var a in new[] { "-u", "postgres", "--", file })
            {
                start.ArgumentList.Add(a);
            }
        }
        else
        {
            start.FileName = file;
        }
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            string output;
            try
            {
                var both = await Task.WhenAll(stdout, stderr).WaitAsync(TimeSpan.FromSeconds(2), cancellationToken);
                output = both[1] + both[0];
            }
            catch (TimeoutException)
            {
                output = "";
            }
            throw new InvalidOperationException($"{Path.GetFileName(file)} {string.Join(' ', arguments)} failed with exit code {process.ExitCode}: {output}");
        }
    }

    private static string ResolveLink(string path) => new FileInfo(path).LinkTarget is { } target
        ? Path.IsPathRooted(target) ? target : Path.Combine(Path.GetDirectoryName(path)!, target)
        : path;
}
