namespace Vigil.Storage;

/// <summary>
/// The embedded store's schema as ordered migrations. <see cref="SqliteStore"/> applies every migration above the
/// database's <c>PRAGMA user_version</c> in one transaction and then sets it, so an existing data directory upgrades in place.
/// </summary>
internal static class Schema
{
    public static readonly string[][] Migrations =
    [
        // 1: the gateway foundation (issue 2). IF NOT EXISTS because databases of that release carry user_version 0.
        [
            """
            CREATE TABLE IF NOT EXISTS users (
                id TEXT PRIMARY KEY,
                email TEXT NOT NULL UNIQUE,
                name TEXT NOT NULL,
                is_admin INTEGER NOT NULL,
                created_at TEXT NOT NULL)
            """,
            """
            CREATE TABLE IF NOT EXISTS api_tokens (
                id TEXT PRIMARY KEY,
                user_id TEXT NOT NULL REFERENCES users(id),
                name TEXT NOT NULL,
                token_sha256 BLOB NOT NULL UNIQUE,
                created_at TEXT NOT NULL,
                expires_at TEXT NULL)
            """,
            """
            CREATE TABLE IF NOT EXISTS connections (
                name TEXT PRIMARY KEY,
                type TEXT NOT NULL,
                host TEXT NOT NULL,
                port INTEGER NOT NULL,
                database TEXT NOT NULL,
                username TEXT NOT NULL,
                password_encrypted TEXT NULL,
                ssl_mode TEXT NOT NULL,
                ssl_root_cert TEXT NULL,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL)
            """,
            """
            CREATE TABLE IF NOT EXISTS sessions (
                id TEXT PRIMARY KEY,
                type TEXT NOT NULL,
                connection TEXT NOT NULL,
                connection_type TEXT NOT NULL,
                user_id TEXT NOT NULL,
                user_name TEXT NOT NULL,
                client_user TEXT NULL,
                client_address TEXT NULL,
                status TEXT NOT NULL,
                exit_code INTEGER NULL,
                reason TEXT NULL,
                events_lost INTEGER NOT NULL DEFAULT 0,
                started_at TEXT NOT NULL,
                ended_at TEXT NULL)
            """,
            "CREATE INDEX IF NOT EXISTS sessions_started ON sessions(started_at DESC)",
            """
            CREATE TABLE IF NOT EXISTS session_events (
                session_id TEXT NOT NULL,
                seq INTEGER NOT NULL,
                at TEXT NOT NULL,
                kind TEXT NOT NULL,
                text TEXT NULL,
                parameter_count INTEGER NULL,
                duration_us INTEGER NULL,
                command_tag TEXT NULL,
                rows INTEGER NULL,
                sqlstate TEXT NULL,
                message TEXT NULL,
                PRIMARY KEY (session_id, seq))
            """,
        ],
        // 2: identity and access (issue 3): users and service accounts in one table, groups as roles, token
        // lifecycle, connection access, browser sessions, pending OIDC logins and the audit log.
        [
            """
            CREATE TABLE users_v2 (
                id TEXT PRIMARY KEY,
                kind TEXT NOT NULL,
                email TEXT NULL,
                name TEXT NOT NULL,
                status TEXT NOT NULL,
                password_hash TEXT NULL,
                oidc_subject TEXT NULL,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL)
            """,
            "INSERT INTO users_v2 SELECT id, 'user', lower(email), name, 'active', NULL, NULL, created_at, created_at FROM users",
            """
            CREATE TABLE groups (
                name TEXT PRIMARY KEY,
                description TEXT NOT NULL,
                builtin INTEGER NOT NULL,
                created_at TEXT NOT NULL)
            """,
            """
            INSERT INTO groups VALUES
                ('admin', 'Built-in: everything', 1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
                ('auditor', 'Built-in: reads sessions, reviews, audit log and rules; changes nothing', 1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
            """,
            """
            CREATE TABLE user_groups (
                user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                group_name TEXT NOT NULL REFERENCES groups(name) ON DELETE CASCADE,
                PRIMARY KEY (user_id, group_name))
            """,
            "INSERT INTO user_groups SELECT id, 'admin' FROM users WHERE is_admin = 1",
            "DROP TABLE users",
            "ALTER TABLE users_v2 RENAME TO users",
            "CREATE UNIQUE INDEX users_email ON users(email) WHERE email IS NOT NULL",
            "CREATE UNIQUE INDEX users_service_account_name ON users(name) WHERE kind = 'serviceaccount'",
            "CREATE UNIQUE INDEX users_oidc_subject ON users(oidc_subject) WHERE oidc_subject IS NOT NULL",
            "CREATE INDEX user_groups_group ON user_groups(group_name)",
            "ALTER TABLE api_tokens ADD COLUMN last_used_at TEXT NULL",
            "ALTER TABLE api_tokens ADD COLUMN revoked_at TEXT NULL",
            "ALTER TABLE api_tokens ADD COLUMN connections TEXT NULL",
            "CREATE INDEX api_tokens_user ON api_tokens(user_id)",
            "ALTER TABLE connections ADD COLUMN access_groups TEXT NOT NULL DEFAULT '[]'",
            "ALTER TABLE connections ADD COLUMN access_modes TEXT NOT NULL DEFAULT '[\"exec\",\"connect\"]'",
            """
            CREATE TABLE web_sessions (
                id_sha256 BLOB PRIMARY KEY,
                user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                csrf_token TEXT NOT NULL,
                created_at TEXT NOT NULL,
                expires_at TEXT NOT NULL)
            """,
            """
            CREATE TABLE oidc_logins (
                state TEXT PRIMARY KEY,
                nonce TEXT NOT NULL,
                code_verifier TEXT NOT NULL,
                redirect TEXT NULL,
                created_at TEXT NOT NULL,
                expires_at TEXT NOT NULL)
            """,
            """
            CREATE TABLE audit_logs (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                at TEXT NOT NULL,
                actor_id TEXT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                resource_type TEXT NOT NULL,
                resource TEXT NULL,
                outcome TEXT NOT NULL,
                status_code INTEGER NOT NULL,
                source_address TEXT NULL,
                request TEXT NULL)
            """,
            "CREATE INDEX audit_logs_at ON audit_logs(at DESC)",
        ],
        // 3: the AI session analyzer (issue 4): the provider (one row, key encrypted), rules and their connections (a
        // connection belongs to at most one rule), analytics events, analyses on sessions and statements, and the
        // pending review a require_approval verdict opens.
        [
            """
            CREATE TABLE ai_providers (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                provider TEXT NOT NULL,
                model TEXT NOT NULL,
                api_key_encrypted TEXT NOT NULL,
                api_url TEXT NULL,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL)
            """,
            """
            CREATE TABLE ai_rules (
                name TEXT PRIMARY KEY,
                description TEXT NULL,
                low_risk_action TEXT NOT NULL,
                medium_risk_action TEXT NOT NULL,
                high_risk_action TEXT NOT NULL,
                custom_prompt TEXT NULL,
                on_provider_error TEXT NOT NULL,
                timeout_ms INTEGER NOT NULL,
                native_analysis TEXT NOT NULL,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL)
            """,
            """
            CREATE TABLE ai_rule_connections (
                connection TEXT PRIMARY KEY REFERENCES connections(name) ON DELETE CASCADE,
                rule_name TEXT NOT NULL REFERENCES ai_rules(name) ON DELETE CASCADE)
            """,
            "CREATE INDEX ai_rule_connections_rule ON ai_rule_connections(rule_name)",
            """
            CREATE TABLE analytics_events (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                at TEXT NOT NULL,
                type TEXT NOT NULL,
                actor TEXT NULL,
                session_id TEXT NULL,
                data TEXT NOT NULL)
            """,
            "CREATE INDEX analytics_events_at ON analytics_events(at DESC)",
            "ALTER TABLE sessions ADD COLUMN ai_analysis TEXT NULL",
            "ALTER TABLE sessions ADD COLUMN risk_level TEXT NULL",
            "ALTER TABLE session_events ADD COLUMN ai_analysis TEXT NULL",
            """
            CREATE TABLE reviews (
                id TEXT PRIMARY KEY,
                session_id TEXT NOT NULL,
                connection TEXT NOT NULL,
                requested_by_id TEXT NOT NULL,
                requested_by TEXT NOT NULL,
                input TEXT NOT NULL,
                input_sha256 TEXT NOT NULL,
                ai_analysis TEXT NULL,
                status TEXT NOT NULL,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL)
            """,
            "CREATE INDEX reviews_status ON reviews(status, created_at DESC)",
        ],
        // 4: reviews (issue 5): who decides and how many must approve (per connection), when a review expires, the
        // decisions themselves (one per reviewer), just-in-time access requests as reviews of type 'jit', and the
        // proxy's optional hold on statements waiting for a decision.
        [
            "ALTER TABLE connections ADD COLUMN review_groups TEXT NOT NULL DEFAULT '[]'",
            "ALTER TABLE connections ADD COLUMN min_approvals INTEGER NOT NULL DEFAULT 1",
            "ALTER TABLE connections ADD COLUMN review_timeout_seconds INTEGER NOT NULL DEFAULT 1800",
            "ALTER TABLE connections ADD COLUMN max_access_duration_seconds INTEGER NOT NULL DEFAULT 28800",
            "ALTER TABLE connections ADD COLUMN require_jit_for_connect INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE connections ADD COLUMN require_review_for_exec INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE ai_rules ADD COLUMN hold_seconds INTEGER NOT NULL DEFAULT 0",
            // Access requests have no session, so session_id loses its NOT NULL: SQLite rebuilds the table for that.
            """
            CREATE TABLE reviews_v2 (
                id TEXT PRIMARY KEY,
                type TEXT NOT NULL,
                session_id TEXT NULL,
                session_type TEXT NULL,
                connection TEXT NOT NULL,
                requested_by_id TEXT NOT NULL,
                requested_by TEXT NOT NULL,
                input TEXT NOT NULL,
                input_sha256 TEXT NOT NULL,
                ai_analysis TEXT NULL,
                reviewer_groups TEXT NOT NULL,
                min_approvals INTEGER NOT NULL,
                review_timeout_seconds INTEGER NOT NULL,
                status TEXT NOT NULL,
                reason TEXT NULL,
                access_duration_seconds INTEGER NULL,
                access_expires_at TEXT NULL,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                expires_at TEXT NOT NULL,
                executed_at TEXT NULL)
            """,
            // Reviews opened by the previous release had no timeout: they get the default one from their creation.
            """
            INSERT INTO reviews_v2
            SELECT r.id, 'onetime', r.session_id, s.type, r.connection, r.requested_by_id, r.requested_by, r.input, r.input_sha256, r.ai_analysis,
                   '[]', 1, 1800, r.status, NULL, NULL, NULL, r.created_at, r.updated_at,
                   strftime('%Y-%m-%dT%H:%M:%f000Z', r.created_at, '+30 minutes'), NULL
            FROM reviews r LEFT JOIN sessions s ON s.id = r.session_id
            """,
            "DROP TABLE reviews",
            "ALTER TABLE reviews_v2 RENAME TO reviews",
            "CREATE INDEX reviews_status ON reviews(status, created_at DESC)",
            "CREATE INDEX reviews_session ON reviews(session_id)",
            "CREATE INDEX reviews_expiry ON reviews(expires_at) WHERE status IN ('pending', 'approved')",
            "CREATE INDEX reviews_binding ON reviews(connection, requested_by_id, input_sha256) WHERE status = 'approved'",
            """
            CREATE TABLE review_decisions (
                review_id TEXT NOT NULL REFERENCES reviews(id) ON DELETE CASCADE,
                reviewer_id TEXT NOT NULL,
                reviewer TEXT NOT NULL,
                decision TEXT NOT NULL,
                reason TEXT NULL,
                at TEXT NOT NULL,
                PRIMARY KEY (review_id, reviewer_id))
            """,
        ],
        // 5: webhooks (issue 5): endpoints (secret and URL encrypted: chat URLs carry their credential) and
        // the durable outbox, one delivery row per event and subscribed endpoint. id is the event's webhook-id (msg_…),
        // shared by every endpoint the event goes to; attempt_base is the attempt count a replay restarted the retry budget at.
        [
            """
            CREATE TABLE webhooks (
                id TEXT PRIMARY KEY,
                url_encrypted TEXT NOT NULL,
                event_types TEXT NOT NULL,
                format TEXT NOT NULL,
                description TEXT NULL,
                secret_encrypted TEXT NOT NULL,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL)
            """,
            """
            CREATE TABLE webhook_deliveries (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                id TEXT NOT NULL,
                webhook_id TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
                event_type TEXT NOT NULL,
                payload TEXT NOT NULL,
                status TEXT NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                attempt_base INTEGER NOT NULL DEFAULT 0,
                last_status_code INTEGER NULL,
                last_error TEXT NULL,
                next_attempt_at TEXT NULL,
                created_at TEXT NOT NULL,
                delivered_at TEXT NULL,
                UNIQUE (webhook_id, id))
            """,
            "CREATE INDEX webhook_deliveries_due ON webhook_deliveries(status, next_attempt_at)",
            "CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries(webhook_id, seq DESC)",
        ],
        // 6: token credentials on the wire (issue 10): a SCRAM-SHA-256 verifier per token, stored at creation, so
        // PostgreSQL clients authenticate without sending the token; tokens made earlier have none (cleartext only).
        [
            "ALTER TABLE api_tokens ADD COLUMN scram_verifier TEXT NULL",
        ],
        // 7: crash-safe recordings (issue 10): which gateway instance owns an open session and when each instance last
        // showed it was alive, so a recovery pass can mark the sessions of a dead instance interrupted; the per-connection
        // recording mode (async | strict); the list's per-user filter goes by user id.
        [
            "ALTER TABLE sessions ADD COLUMN gateway_id TEXT NULL",
            "CREATE INDEX sessions_open ON sessions(gateway_id) WHERE status = 'open'",
            "CREATE INDEX sessions_user ON sessions(user_id, started_at DESC)",
            """
            CREATE TABLE gateway_instances (
                id TEXT PRIMARY KEY,
                started_at TEXT NOT NULL,
                heartbeat_at TEXT NOT NULL)
            """,
            "ALTER TABLE connections ADD COLUMN recording TEXT NOT NULL DEFAULT 'async'",
        ],
        // 8: statement texts longer than the recording cap are stored cut, with the whole text's length and SHA-256.
        [
            "ALTER TABLE session_events ADD COLUMN text_length INTEGER NULL",
            "ALTER TABLE session_events ADD COLUMN text_sha256 TEXT NULL",
        ],
        // 9: recorded responses (issue 11): a statement's (masked) result and the notices the client saw, as JSON on its
        // event; the session's masked-value counts per entity type; guardrail violations appended one row each (a
        // session may collect many: no rewrite of a growing array); per-connection result recording bounds.
        [
            "ALTER TABLE session_events ADD COLUMN result TEXT NULL",
            "ALTER TABLE session_events ADD COLUMN notices TEXT NULL",
            "ALTER TABLE sessions ADD COLUMN masking_info TEXT NULL",
            """
            CREATE TABLE session_guardrails (
                id INTEGER PRIMARY KEY,
                session_id TEXT NOT NULL,
                rule TEXT NOT NULL,
                direction TEXT NOT NULL,
                matched TEXT NOT NULL)
            """,
            "CREATE INDEX session_guardrails_session ON session_guardrails(session_id, id)",
            "ALTER TABLE connections ADD COLUMN record_result_rows INTEGER NOT NULL DEFAULT 100",
            "ALTER TABLE connections ADD COLUMN record_result_bytes INTEGER NOT NULL DEFAULT 65536",
        ],
        // 10: guardrails (issue 11): rules as JSON in the API's rule shape; a connection may carry several guardrails.
        [
            """
            CREATE TABLE guardrails (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                description TEXT NULL,
                input_rules TEXT NOT NULL,
                output_rules TEXT NOT NULL,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL)
            """,
            """
            CREATE TABLE guardrail_connections (
                guardrail_id TEXT NOT NULL REFERENCES guardrails(id) ON DELETE CASCADE,
                connection TEXT NOT NULL REFERENCES connections(name) ON DELETE CASCADE,
                PRIMARY KEY (guardrail_id, connection))
            """,
            "CREATE INDEX guardrail_connections_connection ON guardrail_connections(connection)",
        ],
        // 11: data masking rules (issue 11): entity types, custom types and column rules as one JSON definition;
        // several rules may name one connection.
        [
            """
            CREATE TABLE masking_rules (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                description TEXT NULL,
                definition TEXT NOT NULL,
                score_threshold REAL NOT NULL,
                strategy TEXT NOT NULL,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL)
            """,
            """
            CREATE TABLE masking_rule_connections (
                rule_id TEXT NOT NULL REFERENCES masking_rules(id) ON DELETE CASCADE,
                connection TEXT NOT NULL REFERENCES connections(name) ON DELETE CASCADE,
                PRIMARY KEY (rule_id, connection))
            """,
            "CREATE INDEX masking_rule_connections_connection ON masking_rule_connections(connection)",
        ],
        // 12: MCP sessions (issue 12): what the agent's MCP client reported in its initialize handshake and which tool
        // opened the session.
        [
            "ALTER TABLE sessions ADD COLUMN client_name TEXT NULL",
            "ALTER TABLE sessions ADD COLUMN client_version TEXT NULL",
            "ALTER TABLE sessions ADD COLUMN tool TEXT NULL",
        ],
        // 13: http and kubernetes connections (issue 14): the upstream URL and TLS settings; the injected headers, bearer
        // token and client key as one encrypted JSON document.
        [
            "ALTER TABLE connections ADD COLUMN url TEXT NULL",
            "ALTER TABLE connections ADD COLUMN secrets_encrypted TEXT NULL",
            "ALTER TABLE connections ADD COLUMN client_certificate TEXT NULL",
            "ALTER TABLE connections ADD COLUMN certificate_authority TEXT NULL",
            "ALTER TABLE connections ADD COLUMN insecure_skip_tls_verify INTEGER NOT NULL DEFAULT 0",
        ],
        // 14: ssh connections (issue 15): the pinned host key and the encrypted private key; public keys registered on
        // identities for native SSH logins, each fingerprint on one identity only.
        [
            "ALTER TABLE connections ADD COLUMN host_key TEXT NULL",
            "ALTER TABLE connections ADD COLUMN private_key_encrypted TEXT NULL",
            """
            CREATE TABLE ssh_keys (
                id TEXT PRIMARY KEY,
                user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                name TEXT NOT NULL,
                type TEXT NOT NULL,
                public_key TEXT NOT NULL,
                fingerprint TEXT NOT NULL UNIQUE,
                created_at TEXT NOT NULL)
            """,
            "CREATE INDEX ssh_keys_user ON ssh_keys(user_id)",
        ],
        // 15: terminal recordings (issues 14, 15): one row per terminal stream of a session (asciicast v2 header fields and
        // running totals), its events as coalesced blocks of asciicast event lines in order.
        [
            """
            CREATE TABLE session_terminals (
                id TEXT PRIMARY KEY,
                session_id TEXT NOT NULL,
                started_at TEXT NOT NULL,
                width INTEGER NOT NULL,
                height INTEGER NOT NULL,
                term TEXT NULL,
                command TEXT NULL,
                duration REAL NOT NULL DEFAULT 0,
                bytes INTEGER NOT NULL DEFAULT 0,
                recorded_bytes INTEGER NOT NULL DEFAULT 0,
                truncated INTEGER NOT NULL DEFAULT 0)
            """,
            "CREATE INDEX session_terminals_session ON session_terminals(session_id)",
            """
            CREATE TABLE session_terminal_chunks (
                terminal_id TEXT NOT NULL,
                seq INTEGER NOT NULL,
                events TEXT NOT NULL,
                PRIMARY KEY (terminal_id, seq))
            """,
        ],
    ];
}
