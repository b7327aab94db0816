using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Vigil.Tests.Adapters.Http;

/// <summary>
/// <c>pods/{pod}/exec</c> of <see cref="FakeKubernetesApi"/> as the kubelet serves it through the API server: a WebSocket
/// with subprotocol <c>v5.channel.k8s.io</c> (or v4), binary messages whose first byte is the channel (0 stdin, 1
/// stdout, 2 stderr, 3 error/status, 4 resize), ending with a <c>Success</c> Status on channel 3. <c>ls</c> prints three
/// names; <c>sh</c> is a <see cref="FakeShell"/>. A SPDY/3.1 upgrade (the older protocol) runs the same commands as
/// SPDY streams (<see cref="FakeSpdyExec"/>).
/// </summary>
internal static class FakeKubernetesExec
{
    /// <summary>What <c>ls</c> prints.</summary>
    public const string Listing = "bin\netc\nusr\n";

    /// <summary>The Status on the error channel when the command succeeded.</summary>
    public const string Success = """{"metadata":{},"status":"Success"}""";

    private static readonly string[] Protocols = ["v5.channel.k8s.io", "v4.channel.k8s.io"];

    public static void Map(WebApplication app, Func<FakeKubernetesApi> api) =>
        app.Map("/api/v1/namespaces/{ns}/pods/{pod}/exec", (HttpContext http) => ExecAsync(http, api()));

    private static async Task ExecAsync(HttpContext http, FakeKubernetesApi api)
    {
        if (http.Request.Headers.Upgrade.ToString().StartsWith("SPDY/3.1", StringComparison.OrdinalIgnoreCase)
            && http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpUpgradeFeature>() is { IsUpgradableRequest: true } upgrade)
        {
            api.ExecTransports.Enqueue("SPDY/3.1");
            await FakeSpdyExec.RunAsync(http, upgrade, api);
            return;
        }
        var protocol = Protocols.FirstOrDefault(p => http.WebSockets.WebSocketRequestedProtocols.Contains(p));
        if (!http.WebSockets.IsWebSocketRequest || protocol is null)
        {
            http.Response.StatusCode = 400;
            await http.Response.WriteAsJsonAsync(new { kind = "Status", apiVersion = "v1", status = "Failure", message = "upgrade to v5.channel.k8s.io required", reason = "BadRequest", code = 400 });
            return;
        }
        api.ExecTransports.Enqueue("websocket");
        using var socket = await http.WebSockets.AcceptWebSocketAsync(protocol);
        var command = http.Request.Query["command"].ToArray();
        if (command is ["sh"])
        {
            await ShellAsync(socket, api, http.RequestAborted);
        }
        else
        {
            await SendAsync(socket, 1, Listing);
        }
        await SendAsync(socket, 3, Success);
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
    }

    private static async Task ShellAsync(WebSocket socket, FakeKubernetesApi api, CancellationToken cancellationToken)
    {
        var shell = new FakeShell();
        await SendAsync(socket, 1, FakeShell.Prompt);
        var buffer = new byte[4096];
        while (!shell.Exited)
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
            foreach (var shown in shell.Type(data))
            {
                await SendAsync(socket, 1, shown);
            }
        }
    }

    private static Task SendAsync(WebSocket socket, byte channel, string text) =>
        socket.SendAsync((byte[])[channel, .. Encoding.UTF8.GetBytes(text)], WebSocketMessageType.Binary, true, CancellationToken.None);
}
