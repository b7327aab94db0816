using System.Text;
using Vigil.Postgres.Auth;
using Vigil.Postgres.Protocol;

namespace Vigil.Postgres.Tests;

public class ScramTests
{
    // RFC 7677 §3 example.
    private const string ClientNonce = "rOprNGfwEbeRWgbNEkqO";
    private const string ServerFirst = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    private const string ClientFinal = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    // The RFC's signature, recomputed independently (Python hashlib/hmac) and as used by other SCRAM test suites.
    // "v=6rriTRBi23WpRR/wtup+mMhK1vY5jTJMUqCK+A7vlGQ=" (a corrupted copy that circulates) must be rejected.
    private const string ServerFinal = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";
    private const string CorruptedServerFinal = "v=6rriTRBi23WpRR/wtup+mMhK1vY5jTJMUqCK+A7vlGQ=";

    [Fact]
    public void Rfc7677Vector_ProducesExpectedMessages()
    {
        var client = new ScramSha256Client("pencil", ClientNonce, "user");

        Text(client.ClientFirstMessage).Should().Be("n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
        Text(client.ProcessServerFirst(Bytes(ServerFirst))).Should().Be(ClientFinal);
        var verify = () => client.VerifyServerFinal(Bytes(ServerFinal));
        verify.Should().NotThrow();
    }

    [Fact]
    public void DefaultClient_SendsEmptyUserAndRandomNonce_LikeLibpq()
    {
        var a = Text(new ScramSha256Client("pw").ClientFirstMessage);
        var b = Text(new ScramSha256Client("pw").ClientFirstMessage);

        a.Should().StartWith("n,,n=,r=").And.HaveLength("n,,n=,r=".Length + 24);
        a.Should().NotBe(b);
        Text(new ScramSha256Client("pw", "abc").ClientFirstMessage).Should().Be("n,,n=,r=abc");
    }

    [Fact]
    public void WrongServerSignature_IsRejected()
    {
        var client = new ScramSha256Client("pencil", ClientNonce, "user");
        client.ProcessServerFirst(Bytes(ServerFirst));

        var act = () => client.VerifyServerFinal(Bytes(CorruptedServerFinal));

        act.Should().Throw<PostgresProtocolException>().Which.SqlState.Should().Be("28000");
    }

    [Fact]
    public void TruncatedServerSignature_IsRejected()
    {
        var client = new ScramSha256Client("pencil", ClientNonce, "user");
        client.ProcessServerFirst(Bytes(ServerFirst));

        var act = () => client.VerifyServerFinal(Bytes("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5n"));

        act.Should().Throw<PostgresProtocolException>();
    }

    [Fact]
    public void WrongPassword_GivesDifferentProof_AndServerSignatureFails()
    {
        var client = new ScramSha256Client("pencil2", ClientNonce, "user");

        Text(client.ProcessServerFirst(Bytes(ServerFirst))).Should().NotBe(ClientFinal);
        var act = () => client.VerifyServerFinal(Bytes(ServerFinal));
        act.Should().Throw<PostgresProtocolException>().Which.SqlState.Should().Be("28000");
    }

    [Fact]
    public void ServerError_IsRejected()
    {
        var client = new ScramSha256Client("pencil", ClientNonce, "user");
        client.ProcessServerFirst(Bytes(ServerFirst));

        var act = () => client.VerifyServerFinal(Bytes("e=invalid-proof"));

        act.Should().Throw<PostgresProtocolException>().Where(e => e.SqlState == "28000" && e.Message.Contains("invalid-proof"));
    }

    [Theory]
    [InlineData("r=XXprNGfwEbeRWgbNEkqO%hvYD,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")]
    [InlineData("r=rOprNGfwEbeRWgbNEkqO,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")]
    [InlineData("r=rOprNGfwEbe,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")]
    public void NonceNotExtendingClientNonce_IsRejected(string serverFirst)
    {
        var client = new ScramSha256Client("pencil", ClientNonce, "user");

        var act = () => client.ProcessServerFirst(Bytes(serverFirst));

        act.Should().Throw<PostgresProtocolException>().Which.SqlState.Should().Be("28000");
    }

    [Theory]
    [InlineData("r=rOprNGfwEbeRWgbNEkqOabc,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=0")]
    [InlineData("r=rOprNGfwEbeRWgbNEkqOabc,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=-1")]
    [InlineData("r=rOprNGfwEbeRWgbNEkqOabc,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=10000001")]
    [InlineData("r=rOprNGfwEbeRWgbNEkqOabc,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=99999999999")]
    [InlineData("r=rOprNGfwEbeRWgbNEkqOabc,s=not base64!,i=4096")]
    [InlineData("r=rOprNGfwEbeRWgbNEkqOabc,s=,i=4096")]
    [InlineData("m=ext,r=rOprNGfwEbeRWgbNEkqOabc,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")]
    [InlineData("r=rOprNGfwEbeRWgbNEkqOabc,i=4096")]
    [InlineData("")]
    public void MalformedServerFirst_IsRejected(string serverFirst)
    {
        var client = new ScramSha256Client("pencil", ClientNonce, "user");

        var act = () => client.ProcessServerFirst(Bytes(serverFirst));

        act.Should().Throw<PostgresProtocolException>().Which.SqlState.Should().Be("08P01");
    }

    [Fact]
    public void OutOfOrderCalls_Throw()
    {
        var client = new ScramSha256Client("pencil", ClientNonce, "user");

        var act = () => client.VerifyServerFinal(Bytes(ServerFinal));

        act.Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public void UserName_IsSaslEscaped()
    {
        var client = new ScramSha256Client("pw", "n", "a=b,c");

        Text(client.ClientFirstMessage).Should().Be("n,,n=a=3Db=2Cc,r=n");
    }

    private static byte[] Bytes(string text) => Encoding.ASCII.GetBytes(text);

    private static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
