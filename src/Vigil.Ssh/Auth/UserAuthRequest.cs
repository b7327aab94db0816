using Vigil.Ssh.Protocol;

namespace Vigil.Ssh.Auth;

/// <summary>
/// SSH_MSG_USERAUTH_REQUEST (RFC 4252 §5) with the method-specific fields of <c>password</c> (§8) and
/// <c>publickey</c> (§7); other methods keep only the common fields.
/// </summary>
internal sealed record UserAuthRequest(string User, string Service, string Method)
{
    /// <summary>password: the client asks to change the password (refused).</summary>
    public bool PasswordChange { get; private init; }

    /// <summary>password: the password.</summary>
    public string Password { get; private init; } = "";

    /// <summary>publickey: a signature is present.</summary>
    public bool Signed { get; private init; }

    /// <summary>publickey: the public key algorithm name, e.g. <c>rsa-sha2-256</c>.</summary>
    public string Algorithm { get; private init; } = "";

    /// <summary>publickey: the key blob.</summary>
    public byte[] KeyBlob { get; private init; } = [];

    /// <summary>publickey: bytes of the payload the signature covers (everything before the signature field).</summary>
    public int SignedLength { get; private init; }

    /// <summary>publickey: the signature blob.</summary>
    public byte[] Signature { get; private init; } = [];

    /// <summary>Parses the message.</summary>
    /// <exception cref="SshProtocolException">Malformed message.</exception>
    public static UserAuthRequest Parse(byte[] payload)
    {
        var reader = new SshReader(payload, "SSH_MSG_USERAUTH_REQUEST");
        reader.ReadByte();
        var request = new UserAuthRequest(reader.ReadString(), reader.ReadString(), reader.ReadString());
        switch (request.Method)
        {
            case "password":
                var change = reader.ReadBoolean();
                request = request with { PasswordChange = change, Password = reader.ReadString() };
                break;
            case "publickey":
                var signed = reader.ReadBoolean();
                request = request with { Signed = signed, Algorithm = reader.ReadString(), KeyBlob = reader.ReadBinaryString().ToArray() };
                if (signed)
                {
                    request = request with { SignedLength = payload.Length - reader.Remaining, Signature = reader.ReadBinaryString().ToArray() };
                }

                reader.ExpectEnd();
                break;
        }

        return request;
    }

    /// <inheritdoc />
    public override string ToString() => $"UserAuthRequest {{ User = {User}, Method = {Method} }}";
}
