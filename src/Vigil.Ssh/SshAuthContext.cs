using System.Net;

namespace Vigil.Ssh;

/// <summary>One authentication attempt (RFC 4252 §5), given to the <see cref="ISshServerHandler"/> auth callbacks.</summary>
/// <param name="UserName">The user name from SSH_MSG_USERAUTH_REQUEST (for the gateway: the connection name).</param>
/// <param name="Method"><c>password</c>, <c>keyboard-interactive</c> or <c>publickey</c>.</param>
/// <param name="RemoteEndPoint">The client's address as given to RunAsync, or null.</param>
/// <param name="ClientVersion">The client's identification string without CR LF, e.g. <c>SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3</c>.</param>
public sealed record SshAuthContext(string UserName, string Method, EndPoint? RemoteEndPoint, string ClientVersion);
