using System.Security.Cryptography;
using Npgsql;
using Vigil.Connections;

namespace Vigil.Demo;

/// <summary>
/// <c>vigil serve --demo</c>: a throwaway PostgreSQL in a directory of its own (outside the data directory) with a small sample schema (customers
/// with names, e-mails, phones and card numbers; orders; an audit table), registered as connection <c>demo</c>.
/// Recreated on every start; stopped on exit.
/// </summary>
public static class DemoDatabase
{
    /// <summary>The connection name the demo registers.</summary>
    public const string ConnectionName = "demo";

    /// <summary>Starts the server, seeds it and creates or updates connection <c>demo</c>.</summary>
    public static async Task<LocalPostgres> StartAsync(string clusterDirectory, ConnectionRepository connections, TimeProvider time, CancellationToken cancellationToken)
    {
        var superuserPassword = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var appPassword = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var server = await LocalPostgres.StartAsync(new LocalPostgresOptions(clusterDirectory, superuserPassword), cancellationToken);
        try
        {
            await SeedAsync(server.Port, superuserPassword, appPassword, cancellationToken);
            var now = time.GetUtcNow();
            var connection = new Connection(ConnectionName, "postgres", "127.0.0.1", server.Port, "demo", "demo_app", appPassword, Connections.SslMode.Disable, null, [], ConnectionAccess.Modes, now, now, ReviewPolicy.Default);
            if (!await connections.CreateAsync(connection, cancellationToken))
            {
                var existing = await connections.FindAsync(ConnectionName, cancellationToken);
                await connections.UpdateAsync(connection with { CreatedAt = existing?.CreatedAt ?? now }, cancellationToken);
            }
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private static async Task SeedAsync(int port, string superuserPassword, string appPassword, CancellationToken cancellationToken)
    {
        var admin = $"Host=127.0.0.1;Port={port};Username=postgres;Password={superuserPassword};Database=postgres;Pooling=false";
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync(cancellationToken);
            // CREATE DATABASE cannot run inside a multi-statement batch, so two round trips.
            await using var role = new NpgsqlCommand($"CREATE ROLE demo_app LOGIN PASSWORD '{appPassword}'", connection);
            await role.ExecuteNonQueryAsync(cancellationToken);
            await using var database = new NpgsqlCommand("CREATE DATABASE demo OWNER demo_app", connection);
            await database.ExecuteNonQueryAsync(cancellationToken);
        }
        var app = $"Host=127.0.0.1;Port={port};Username=demo_app;Password={appPassword};Database=demo;Pooling=false";
        await using var db = new NpgsqlConnection(app);
        await db.OpenAsync(cancellationToken);
        await using var seed = new NpgsqlCommand(SampleSchema, db);
        await seed.ExecuteNonQueryAsync(cancellationToken);
    }

    private const string SampleSchema =
        """
        CREATE TABLE customers (
            id serial PRIMARY KEY,
            name text NOT NULL,
            email text NOT NULL,
            phone text,
            card_number text,
            created_at timestamptz NOT NULL DEFAULT now());
        CREATE TABLE orders (
            id serial PRIMARY KEY,
            customer_id int NOT NULL REFERENCES customers(id),
            amount numeric(10,2) NOT NULL,
            status text NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now());
        CREATE TABLE audit_log (
            id bigserial PRIMARY KEY,
            at timestamptz NOT NULL DEFAULT now(),
            actor text NOT NULL,
            action text NOT NULL);
        INSERT INTO customers (name, email, phone, card_number) VALUES
            ('Ada Lovelace', 'ada@example.com', '+44 20 7946 0018', '4111 1111 1111 1111'),
            ('Alan Turing', 'alan@example.org', '+44 161 496 0753', '5500 0000 0000 0004'),
            ('Grace Hopper', 'grace@example.net', '+1 202 555 0143', '3400 0000 0000 009'),
            ('Edsger Dijkstra', 'edsger@example.nl', '+31 20 555 0199', '6011 0000 0000 0004'),
            ('Barbara Liskov', 'barbara@example.com', '+1 617 555 0110', '4012 8888 8888 1881'),
            ('Donald Knuth', 'don@example.edu', '+1 650 555 0127', '3530 1113 3330 0000'),
            ('Margaret Hamilton', 'margaret@example.com', '+1 617 555 0162', '4222 2222 2222 2'),
            ('Ken Thompson', 'ken@example.org', '+1 908 555 0181', '5105 1051 0510 5100'),
            ('Frances Allen', 'fran@example.com', '+1 914 555 0135', '4000 0566 5566 5556'),
            ('Linus Torvalds', 'linus@example.fi', '+358 9 555 0172', '2223 0031 2200 3222');
        INSERT INTO orders (customer_id, amount, status)
            SELECT 1 + (i % 10), round((random() * 500)::numeric, 2), (ARRAY['paid','shipped','refunded'])[1 + i % 3]
            FROM generate_series(1, 50) AS i;
        INSERT INTO audit_log (actor, action) VALUES ('system', 'demo database created');
        """;
}
