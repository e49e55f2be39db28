using System.Net;
using System.Text.Json.Nodes;

namespace EdgeAgent.Tests.TestSupport;

/// <summary>Someone's webhook endpoint on a free loopback port: records each JSON POST; can be told to answer 500 (a receiver that is down).</summary>
public sealed class WebhookListener : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly List<JsonObject> _received = [];
    private readonly Task _loop;

    public WebhookListener()
    {
        Port = Machine.FreeTcpPort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }
    public string Url => $"http://127.0.0.1:{Port}/hook?token=s3cret-hook-token";
    public bool Failing { get; set; }
    public IReadOnlyList<JsonObject> Received { get { lock (_received) return _received.ToList(); } }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext c;
            try
            {
                c = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }
            using var reader = new StreamReader(c.Request.InputStream);
            var body = await reader.ReadToEndAsync();
            if (Failing)
            {
                c.Response.StatusCode = 500;
            }
            else
            {
                if (JsonNode.Parse(body) is JsonObject doc) lock (_received) _received.Add(doc);
                c.Response.StatusCode = 204;
            }
            c.Response.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
    }
}
