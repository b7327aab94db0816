using Vigil.Sessions;

namespace Vigil.Tests.Sessions;

/// <summary>
/// <see cref="StatementRedaction"/> on each form that carries a password in SQL text: the secret is gone and the rest of
/// the statement stays readable.
/// </summary>
public sealed class StatementRedactionTests
{
    [Theory]
    [InlineData("CREATE ROLE r LOGIN PASSWORD 's3cret'", "CREATE ROLE r LOGIN PASSWORD '********'")]
    [InlineData("create user u with encrypted password 's3cret' valid until 'infinity'", "create user u with encrypted password '********' valid until 'infinity'")]
    [InlineData("ALTER ROLE r PASSWORD E'it\\'s s3cret'", "ALTER ROLE r PASSWORD '********'")]
    [InlineData("ALTER USER r PASSWORD 'it''s s3cret'", "ALTER USER r PASSWORD '********'")]
    // With standard_conforming_strings off the first literal runs to the last quote: the mask covers either reading.
    [InlineData("ALTER ROLE r PASSWORD 's3\\'cr3t'", "ALTER ROLE r PASSWORD '********'")]
    // A recording cut inside the literal (VIGIL_RECORDING_MAX_TEXT) still masks what is left of it.
    [InlineData("ALTER ROLE r PASSWORD 's3cr", "ALTER ROLE r PASSWORD '********'")]
    [InlineData("ALTER ROLE r PASSWORD $pw$s3cret$pw$", "ALTER ROLE r PASSWORD '********'")]
    [InlineData("ALTER ROLE r PASSWORD U&'s3cr\\0065t'", "ALTER ROLE r PASSWORD '********'")]
    [InlineData("ALTER ROLE r PASSWORD /* why */ 's3cret'", "ALTER ROLE r PASSWORD /* why */ '********'")]
    [InlineData("ALTER USER \"ada\" PASSWORD 'SCRAM-SHA-256$4096:c2FsdHNhbHQ=$c3RvcmVka2V5:c2VydmVya2V5'", "ALTER USER \"ada\" PASSWORD '********'")]
    [InlineData("CREATE USER MAPPING FOR me SERVER s OPTIONS (user 'u', password 's3cret')", "CREATE USER MAPPING FOR me SERVER s OPTIONS (user 'u', password '********')")]
    [InlineData("ALTER USER MAPPING FOR me SERVER s OPTIONS (SET password 's3cret', ADD sslpassword 'k3y')", "ALTER USER MAPPING FOR me SERVER s OPTIONS (SET password '********', ADD sslpassword '********')")]
    [InlineData("CREATE SERVER s FOREIGN DATA WRAPPER dblink_fdw OPTIONS (host 'h', \"password\" 's3cret')", "CREATE SERVER s FOREIGN DATA WRAPPER dblink_fdw OPTIONS (host 'h', \"password\" '********')")]
    [InlineData("SELECT dblink_connect('c', 'host=h dbname=d password=s3cret user=u')", "SELECT dblink_connect('c', 'host=h dbname=d password=******** user=u')")]
    [InlineData("SELECT * FROM dblink('dbname=d password = ''s3 cret'' user=u', 'select 1') t(x int)", "SELECT * FROM dblink('dbname=d password = ******** user=u', 'select 1') t(x int)")]
    [InlineData("SELECT dblink_connect('postgresql://u:s3cret@h:5432/d?sslmode=require')", "SELECT dblink_connect('postgresql://u:********@h:5432/d?sslmode=require')")]
    [InlineData("SELECT dblink_exec('c', 'ALTER ROLE r PASSWORD ''s3cret''')", "SELECT dblink_exec('c', 'ALTER ROLE r PASSWORD ********')")]
    [InlineData("DO $$ BEGIN EXECUTE 'ALTER ROLE r PASSWORD ''s3cret'''; END $$", "DO $$ BEGIN EXECUTE 'ALTER ROLE r PASSWORD ********'; END $$")]
    [InlineData("DO $$ BEGIN ALTER ROLE r PASSWORD 's3cret'; END $$", "DO $$ BEGIN ALTER ROLE r PASSWORD '********'; END $$")]
    [InlineData("ALTER ROLE r PASSWORD 's3cret", "ALTER ROLE r PASSWORD '********'")]
    public void Removes_the_password(string statement, string recorded)
    {
        var redacted = StatementRedaction.Redact(statement);
        redacted.Should().Be(recorded);
        redacted.Should().NotContainAny("s3cret", "s3 cret", "k3y", "s3cr\\0065t");
    }

    [Theory]
    [InlineData("SELECT 1")]
    [InlineData("UPDATE users SET password = crypt('x', gen_salt('bf')) WHERE id = 1")] // a column, not a role password: PostgreSQL keeps it too
    [InlineData("ALTER ROLE r PASSWORD NULL")]
    [InlineData("SET password_encryption = 'scram-sha-256'")]
    [InlineData("-- PASSWORD 'not a literal, a comment'\nSELECT 1")]
    [InlineData("SELECT 'https://example.com/path'")]
    public void Leaves_statements_without_a_password_unchanged(string statement) =>
        StatementRedaction.Redact(statement).Should().Be(statement);

    [Fact]
    public void Null_and_non_SQL_text_never_throw()
    {
        StatementRedaction.Redact((string?)null).Should().BeNull();
        StatementRedaction.Redact("").Should().Be("");
        foreach (var odd in new[] { "password", "PASSWORD", "password=", "'password='", "$$password$", "E'password=\\", "'://@'", "'a://b:c'", "\0password\u0001'x" })
        {
            var act = () => StatementRedaction.Redact(odd);
            act.Should().NotThrow(odd);
        }
    }
}
