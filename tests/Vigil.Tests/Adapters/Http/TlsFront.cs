using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace Vigil.Tests.Adapters.Http;

/// <summary>
/// The TLS-terminating load balancer a deployment puts in front of the gateway (kubectl sends a bearer token only over
/// TLS): HTTPS on loopback with a self-signed certificate for localhost (<see cref="CertificatePem"/>), every request
/// forwarded to the gateway's HTTP listener as it came.
/// </summary>
public sealed class TlsFront : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpMessageInvoker _client;

    private TlsFront(WebApplication app, HttpMessageInvoker client, string url, string certificatePem)
    {
        _app = app;
        _client = client;
        Url = url;
        CertificatePem = certificatePem;
    }

    /// <summary>The front's address, <c>https://localhost:PORT</c>.</summary>
    public string Url { get; }

    /// <summary>The front's certificate (its own CA).</summary>
    public string CertificatePem { get; }

    public static async Task<TlsFront> StartAsync(string gatewayAddress)
    {
        var (certificatePem, keyPem) = Vigil.Adapters.Postgres.ServerCertificate.CreateSelfSigned("localhost", TimeSpan.FromDays(1));
        using var pem = X509Certificate2.CreateFromPem(certificatePem, keyPem);
        var certificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate)));
        builder.WebHost.UseShutdownTimeout(TimeSpan.FromSeconds(1));
        builder.Services.AddHttpForwarder();
        var app = builder.Build();
        var client = new HttpMessageInvoker(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, UseCookies = false });
        // A block body: a lambda returning the ForwarderError would have it serialized after the forwarded response.
        app.Map("/{**rest}", async (HttpContext http, IHttpForwarder forwarder) =>
        {
            await forwarder.SendAsync(http, gatewayAddress.TrimEnd('/'), client, ForwarderRequestConfig.Empty, KeepMethod.Instance);
        });
        await app.StartAsync();
        var port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single()).Port;
        return new TlsFront(app, client, $"https://localhost:{port}", certificatePem);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _client.Dispose();
    }

    /// <summary>Forwards a POST as a POST: YARP sends every HTTP/1.1 upgrade as a GET, and kubectl's SPDY exec is a POST.</summary>
    private sealed class KeepMethod : HttpTransformer
    {
        public static readonly KeepMethod Instance = new();

        public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
        {
            await Default.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
            if (HttpMethods.IsPost(httpContext.Request.Method))
            {
                proxyRequest.Method = HttpMethod.Post;
            }
        }
    }
}
