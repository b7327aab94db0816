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

    private const string ServerNonce = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";

    private static ScramVerifier PencilVerifier() => ScramVerifier.Create("pencil", Convert.FromBase64String("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096);

    [Fact]
    public void Server_Rfc7677Vector_ProducesExpectedMessages()
    {
        var server = new ScramSha256Server(PencilVerifier(), serverNonce: ServerNonce);

        Text(server.ProcessClientFirst("SCRAM-SHA-256", Bytes("n,,n=user,r=" + ClientNonce))).Should().Be(ServerFirst);
        Text(server.ProcessClientFinal(Bytes(ClientFinal))!).Should().Be(ServerFinal);
    }

    [Fact]
    public void Verifier_RoundTripsThroughPostgresTextForm()
    {
        var verifier = PencilVerifier();
        var text = verifier.Format();

        text.Should().StartWith("SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$");
        var parsed = ScramVerifier.TryParse(text)!;
        parsed.StoredKey.Should().Equal(verifier.StoredKey);
        parsed.ServerKey.Should().Equal(verifier.ServerKey);
        parsed.Iterations.Should().Be(4096);
        ScramVerifier.TryParse(null).Should().BeNull();
        ScramVerifier.TryParse("SCRAM-SHA-256$4096:abc").Should().BeNull();
        ScramVerifier.TryParse("md5abc").Should().BeNull();
        ScramVerifier.TryParse(text.Replace("4096", "0", StringComparison.Ordinal)).Should().BeNull();
    }

    [Theory]
    [InlineData("n,,")]
    [InlineData("y,,")]
    public void Server_AndClient_AgreeWithRandomNonces(string gs2)
    {
        var token = "vgl_" + Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var server = new ScramSha256Server(ScramVerifier.Create(token));
        var client = new ScramSha256Client(token);
        var first = Text(client.ClientFirstMessage).Replace("n,,", gs2, StringComparison.Ordinal);

        var serverFirst = server.ProcessClientFirst("SCRAM-SHA-256", Bytes(first));
        var clientFinal = Text(client.ProcessServerFirst(serverFirst));
        if (gs2 == "y,,")
        {
            clientFinal = clientFinal.Replace("c=biws", "c=" + Convert.ToBase64String(Bytes(gs2)), StringComparison.Ordinal);
            server.ProcessClientFinal(Bytes(clientFinal)).Should().BeNull("the client signed c=biws, so the proof no longer matches");
            return;
        }
        var serverFinal = server.ProcessClientFinal(Bytes(clientFinal));

        serverFinal.Should().NotBeNull();
        var verify = () => client.VerifyServerFinal(serverFinal);
        verify.Should().NotThrow();
    }

    [Fact]
    public void Server_WrongPassword_ReturnsNull()
    {
        var server = new ScramSha256Server(PencilVerifier(), serverNonce: ServerNonce);
        var client = new ScramSha256Client("pencil2", ClientNonce, "user");
        client.ProcessServerFirst(server.ProcessClientFirst("SCRAM-SHA-256", client.ClientFirstMessage));

        server.ProcessClientFinal(Bytes(ClientFinal.Replace("p=dHzb", "p=dHzc", StringComparison.Ordinal))).Should().BeNull();
    }

    [Theory]
    [InlineData("p=tls-server-end-point,,n=,r=abc", "08P01")]
    [InlineData("n,a=admin,n=,r=abc", "0A000")]
    [InlineData("x,,n=,r=abc", "08P01")]
    [InlineData("n,,m=ext,n=,r=abc", "08P01")]
    [InlineData("n,,n=,r=", "08P01")]
    [InlineData("n,,r=abc", "08P01")]
    [InlineData("n,n=,r=abc", "08P01")]
    [InlineData("", "08P01")]
    [InlineData("n,,n=\u00e9,r=abc", "08P01")]
    public void Server_MalformedClientFirst_IsRejected(string clientFirst, string sqlState)
    {
        var server = new ScramSha256Server(PencilVerifier(), serverNonce: ServerNonce);

        var act = () => server.ProcessClientFirst("SCRAM-SHA-256", Encoding.UTF8.GetBytes(System.Text.RegularExpressions.Regex.Unescape(clientFirst)));

        act.Should().Throw<PostgresProtocolException>().Which.SqlState.Should().Be(sqlState);
    }

    [Theory]
    [InlineData("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0")]
    [InlineData("c=eSws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")]
    [InlineData("c=biws,r=rOprNGfwEbeRWgbNEkqO,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")]
    [InlineData("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")]
    [InlineData("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=not base64")]
    public void Server_MalformedClientFinal_IsRejected(string clientFinal)
    {
        var server = new ScramSha256Server(PencilVerifier(), serverNonce: ServerNonce);
        server.ProcessClientFirst("SCRAM-SHA-256", Bytes("n,,n=user,r=" + ClientNonce));

        var act = () => server.ProcessClientFinal(Bytes(clientFinal));

        act.Should().Throw<PostgresProtocolException>().Which.SqlState.Should().Be("08P01");
    }

    [Fact]
    public void Server_OutOfOrderCalls_Throw()
    {
        var server = new ScramSha256Server(PencilVerifier(), serverNonce: ServerNonce);
        var act = () => server.ProcessClientFinal(Bytes(ClientFinal));
        act.Should().Throw<InvalidOperationException>();
        server.ProcessClientFirst("SCRAM-SHA-256", Bytes("n,,n=user,r=" + ClientNonce));
        var twice = () => server.ProcessClientFirst("SCRAM-SHA-256", Bytes("n,,n=user,r=" + ClientNonce));
        twice.Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public void SaslInitialResponse_ParsesMechanismAndData_AndRejectsBadLengths()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        FrontendMessageWriter.WriteSaslInitialResponse(buffer, "SCRAM-SHA-256", Bytes("n,,n=,r=abc"));
        var body = new System.Buffers.ReadOnlySequence<byte>(buffer.WrittenMemory[5..]);

        var parsed = SaslInitialResponse.Parse(body);

        parsed.Mechanism.Should().Be("SCRAM-SHA-256");
        Text(parsed.Data!).Should().Be("n,,n=,r=abc");
        var bytes = buffer.WrittenMemory[5..].ToArray();
        bytes[14 + 3] += 1; // data length one more than sent
        var act = () => SaslInitialResponse.Parse(new System.Buffers.ReadOnlySequence<byte>(bytes));
        act.Should().Throw<PostgresProtocolException>();
        var trailing = () => SaslInitialResponse.Parse(new System.Buffers.ReadOnlySequence<byte>([.. buffer.WrittenMemory[5..].ToArray(), 0]));
        trailing.Should().Throw<PostgresProtocolException>();
    }

    [Fact]
    public void Server_OffersPlusOnlyWithChannelBindingData_AndRefusesADowngrade()
    {
        var binding = new byte[32];
        new ScramSha256Server(PencilVerifier()).Mechanisms.Should().Equal("SCRAM-SHA-256");
        new ScramSha256Server(PencilVerifier(), binding).Mechanisms.Should().Equal("SCRAM-SHA-256-PLUS", "SCRAM-SHA-256");

        var plusWithoutTls = () => new ScramSha256Server(PencilVerifier()).ProcessClientFirst("SCRAM-SHA-256-PLUS", Bytes("p=tls-server-end-point,,n=,r=abc"));
        plusWithoutTls.Should().Throw<PostgresProtocolException>().Which.SqlState.Should().Be("08P01");
        var downgrade = () => new ScramSha256Server(PencilVerifier(), binding).ProcessClientFirst("SCRAM-SHA-256", Bytes("y,,n=,r=abc"));
        downgrade.Should().Throw<PostgresProtocolException>().Which.SqlState.Should().Be("28000");
        var otherType = () => new ScramSha256Server(PencilVerifier(), binding).ProcessClientFirst("SCRAM-SHA-256-PLUS", Bytes("p=tls-unique,,n=,r=abc"));
        otherType.Should().Throw<PostgresProtocolException>().Which.SqlState.Should().Be("08P01");
        var plusWithoutFlag = () => new ScramSha256Server(PencilVerifier(), binding).ProcessClientFirst("SCRAM-SHA-256-PLUS", Bytes("n,,n=,r=abc"));
        plusWithoutFlag.Should().Throw<PostgresProtocolException>().Which.SqlState.Should().Be("08P01");
        new ScramSha256Server(PencilVerifier(), binding).ProcessClientFirst("SCRAM-SHA-256", Bytes("n,,n=,r=abc")).Should().NotBeEmpty("a client that cannot bind may still use SCRAM-SHA-256");
    }

    [Fact]
    public void Server_RefusesChannelBindingDataOfAnotherTlsSession()
    {
        var server = new ScramSha256Server(PencilVerifier(), new byte[32], ServerNonce);
        server.ProcessClientFirst("SCRAM-SHA-256-PLUS", Bytes("p=tls-server-end-point,,n=user,r=" + ClientNonce));
        var relayed = Convert.ToBase64String([.. Bytes("p=tls-server-end-point,,"), .. Enumerable.Repeat((byte)1, 32)]);

        var act = () => server.ProcessClientFinal(Bytes($"c={relayed},r={ClientNonce}{ServerNonce},p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="));

        act.Should().Throw<PostgresProtocolException>().Which.SqlState.Should().Be("08P01");
    }

    [Fact]
    public void TlsServerEndPoint_HashesTheCertificateWithItsSignatureHash()
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP384);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=t", key, System.Security.Cryptography.HashAlgorithmName.SHA384);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1));

        TlsServerEndPoint.Compute(certificate).Should().Equal(System.Security.Cryptography.SHA384.HashData(certificate.RawData));
    }

    private static byte[] Bytes(string text) => Encoding.ASCII.GetBytes(text);

    private static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
