using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Vigil.Tests.Adapters.Http;

/// <summary>
/// <c>pods/{pod}/exec</c> of <see cref="FakeKubernetesApi"/> as the kubelet serves it through the API server: a WebSocket
/// with subprotocol <c>v5.channel.k8s.io</c> (or v4), binary messages whose first byte is the channel (0 stdin, 1
/// stdout, 2 stderr, 3 error/status, 4 resize), ending with a <c>Success</c> Status on channel 3. <c>ls</c> prints three
/// names; <c>sh</c> is a tiny interactive shell that echoes keystrokes (Backspace erases), answers each line with
/// <c>you ran: LINE</c> and a new <c>$ </c> prompt, and ends on <c>exit</c>. A SPDY/3.1 upgrade (the older protocol) is
/// accepted with <c>X-Stream-Protocol-Version</c> and then echoes raw bytes: enough to see that it is forwarded.
/// </summary>
internal static class FakeKubernetesExec
{
    private static readonly string[] Protocols = ["v5.channel.k8s.io", "v4.channel.k8s.io"];

    public static void Map(WebApplication app, Func<FakeKubernetesApi> api) =>
        app.Map("/api/v1/namespaces/{ns}/pods/{pod}/exec", (HttpContext http) => ExecAsync(http, api()));

    private static async Task ExecAsync(HttpContext http, FakeKubernetesApi api)
    {
        if (http.Request.Headers.Upgrade.ToString().StartsWith("SPDY/3.1", StringComparison.OrdinalIgnoreCase)
            && http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpUpgradeFeature>() is { IsUpgradableRequest: true } upgrade)
        {
            http.Response.Headers.Upgrade = "SPDY/3.1";
            http.Response.Headers["X-Stream-Protocol-Version"] = "v4.channel.k8s.io";
            await using var raw = await upgrade.UpgradeAsync();
            await raw.CopyToAsync(raw, http.RequestAborted);
            return;
        }
        var protocol = Protocols.FirstOrDefault(p => http.WebSockets.WebSocketRequestedProtocols.Contains(p));
        if (!http.WebSockets.IsWebSocketRequest || protocol is null)
        {
            http.Response.StatusCode = 400;
            await http.Response.WriteAsJsonAsync(new { kind = "Status", apiVersion = "v1", status = "Failure", message = "upgrade to v5.channel.k8s.io required", reason = "BadRequest", code = 400 });
            return;
        }
        using var socket = await http.WebSockets.AcceptWebSocketAsync(protocol);
        var command = http.Request.Query["command"].ToArray();
        if (command is ["sh"])
        {
            await ShellAsync(socket, api, http.RequestAborted);
        }
        else
        {
            await SendAsync(socket, 1, "bin\netc\nusr\n");
        }
        await SendAsync(socket, 3, """{"metadata":{},"status":"Success"}""");
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
    }

    private static async Task ShellAsync(WebSocket socket, FakeKubernetesApi api, CancellationToken cancellationToken)
    {
        await SendAsync(socket, 1, "$ ");
        var line = new StringBuilder();
        var buffer = new byte[4096];
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer, cancellationToken);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                return;
            }
            if (received.Count == 0)
            {
                continue;
            }
            var data = buffer.AsSpan(1, received.Count - 1).ToArray();
            switch (buffer[0])
            {
                case 4:
                    api.Resizes.Enqueue(Encoding.UTF8.GetString(data));
                    continue;
                case not 0:
                    continue;
            }
            foreach (var b in data)
            {
                if (b == '\r')
                {
                    var text = line.ToString();
                    line.Clear();
                    if (text == "exit")
                    {
                        await SendAsync(socket, 1, "\r\nexit\r\n");
                        return;
                    }
                    await SendAsync(socket, 1, $"\r\nyou ran: {text}\r\n$ ");
                }
                else if (b == 0x7f)
                {
                    if (line.Length > 0)
                    {
                        line.Length--;
                        await SendAsync(socket, 1, "\b \b");
                    }
                }
                else
                {
                    line.Append((char)b);
                    await SendAsync(socket, 1, ((char)b).ToString());
                }
            }
        }
    }

    private static Task SendAsync(WebSocket socket, byte channel, string text) =>
        socket.SendAsync((byte[])[channel, .. Encoding.UTF8.GetBytes(text)], WebSocketMessageType.Binary, true, CancellationToken.None);
}
