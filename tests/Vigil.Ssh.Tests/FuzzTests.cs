using System.Diagnostics;
using Vigil.Ssh.Auth;
using Vigil.Ssh.Tests.Support;
using Vigil.Ssh.Transport;
using Xunit.Abstractions;

namespace Vigil.Ssh.Tests;

/// <summary>
/// Mutated client input (byte flips, truncation, insertion) into the version line, packet framing, KEXINIT and
/// key exchange of a full server connection, and into the message parsers: only clean protocol errors, never
/// another exception, never a hang.
/// </summary>
public class FuzzTests(ITestOutputHelper output)
{
    private const int HandshakeIterations = 3_000;
    private const int ParserIterations = 30_000;

    [Fact]
    public async Task MutatedHandshakes_EndCleanly()
    {
        var corpus = new[] { ClientCorpus.Handshake("curve25519-sha256"), ClientCorpus.Handshake("ecdh-sha2-nistp256"), ClientCorpus.Handshake("curve25519-sha256@libssh.org") };
        var mutator = new Mutator(seed: 15);
        var options = new SshServerOptions();
        options.HostKeys.Add(TestServer.HostKey(SshHostKeyType.Ed25519));
        options.HostKeys.Add(TestServer.HostKey(SshHostKeyType.EcdsaP256));
        var handler = new TestHandler();
        var stopwatch = Stopwatch.StartNew();
        var outcomes = new Dictionary<string, int>();

        foreach (var valid in corpus)
        {
            // The unmutated handshakes complete the key exchange and end at the end of input.
            await SshServerConnection.RunAsync(new ScriptedStream(valid), options, handler, null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        }

        for (var i = 0; i < HandshakeIterations; i++)
        {
            var input = mutator.Mutate(corpus[i % corpus.Length]);
            string outcome;
            try
            {
                await SshServerConnection.RunAsync(new ScriptedStream(input, chunk: 1 + (i % 700)), options, handler, null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
                outcome = "ended";
            }
            catch (SshProtocolException ex)
            {
                outcome = ex.Reason.ToString();
            }
            catch (Exception ex)
            {
                Assert.Fail($"input #{i} {Convert.ToHexString(input)} threw {ex}");
                return;
            }

            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }

        output.WriteLine($"{HandshakeIterations} mutated handshakes in {stopwatch.Elapsed}: {string.Join(", ", outcomes.Select(o => $"{o.Key} {o.Value}"))}");
        outcomes.Should().ContainKey(nameof(SshDisconnectReason.ProtocolError));
    }

    [Fact]
    public void MutatedMessages_OnlyThrowProtocolExceptions()
    {
        var kexInits = new[] { ClientCorpus.KexInit("curve25519-sha256"), ClientCorpus.KexInit("ecdh-sha2-nistp256") };
        var auths = ClientCorpus.UserAuthRequests();
        var blob = ClientCorpus.PublicKeyBlob();
        var mutator = new Mutator(seed: 4253);
        var parsed = 0;

        for (var i = 0; i < ParserIterations; i++)
        {
            var (name, input) = (i % 3) switch
            {
                0 => ("kexinit", mutator.Mutate(kexInits[i % 2])),
                1 => ("userauth", mutator.Mutate(auths[i % auths.Length])),
                _ => ("blob", mutator.Mutate(blob)),
            };
            try
            {
                switch (name)
                {
                    case "kexinit":
                        KexInit.Parse(input).Negotiate(KexInit.Parse(KexInit.Build(SshAlgorithmCatalog.KeyExchange, ["ssh-ed25519"])));
                        break;
                    case "userauth":
                        UserAuthRequest.Parse(input);
                        break;
                    default:
                        SshPublicKey.FromBlob(input).Verify("ssh-ed25519", [1, 2, 3], input);
                        break;
                }

                parsed++;
            }
            catch (SshProtocolException)
            {
            }
            catch (Exception ex)
            {
                Assert.Fail($"{name} #{i} {Convert.ToHexString(input)} threw {ex}");
            }
        }

        output.WriteLine($"{ParserIterations} mutated messages, {parsed} parsed");
        parsed.Should().BeGreaterThan(0);
    }

    [Fact]
    public async Task RandomBytesAfterTheVersionLine_EndCleanly()
    {
        var random = new Random(4344);
        var options = new SshServerOptions();
        options.HostKeys.Add(TestServer.HostKey(SshHostKeyType.Ed25519));
        for (var i = 0; i < 1_000; i++)
        {
            var garbage = new byte[random.Next(0, 200)];
            random.NextBytes(garbage);
            byte[] input = i % 2 == 0 ? [.. "SSH-2.0-x\r\n"u8, .. garbage] : garbage;
            try
            {
                await SshServerConnection.RunAsync(new ScriptedStream(input), options, new TestHandler(), null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (SshProtocolException)
            {
            }
        }
    }
}
