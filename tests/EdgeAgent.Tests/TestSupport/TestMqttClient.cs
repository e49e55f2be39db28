using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace EdgeAgent.Tests.TestSupport;

/// <summary>A real MQTT client for tests (the technician or the office): records everything it receives.</summary>
public sealed class TestMqttClient : IAsyncDisposable
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly List<MqttApplicationMessage> _received = [];

    private TestMqttClient() => _client.ApplicationMessageReceivedAsync += e =>
    {
        lock (_received) _received.Add(e.ApplicationMessage);
        return Task.CompletedTask;
    };

    public static async Task<TestMqttClient> ConnectAsync(int port, string clientId, MqttProtocolVersion version = MqttProtocolVersion.V500,
        bool persistentSession = false, Action<MqttClientOptionsBuilder>? configure = null)
    {
        var c = new TestMqttClient();
        var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId(clientId).WithProtocolVersion(version);
        configure?.Invoke(options);
        if (persistentSession)
        {
            if (version == MqttProtocolVersion.V500) options.WithCleanStart(false).WithSessionExpiryInterval(3600);
            else options.WithCleanSession(false);
        }
        await c._client.ConnectAsync(options.Build());
        return c;
    }

    public IMqttClient Client => _client;

    public async Task SubscribeAsync(string filter) =>
        await _client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(f => f.WithTopic(filter).WithAtLeastOnceQoS()).Build());

    public async Task PublishAsync(string topic, byte[] payload, string? responseTopic = null, byte[]? correlation = null, bool retain = false)
    {
        var m = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag(retain);
        if (responseTopic is not null) m.WithResponseTopic(responseTopic);
        if (correlation is not null) m.WithCorrelationData(correlation);
        await _client.PublishAsync(m.Build());
    }

    public Task PublishAsync(string topic, JsonNode json, string? responseTopic = null, byte[]? correlation = null) =>
        PublishAsync(topic, Encoding.UTF8.GetBytes(json.ToJsonString()), responseTopic, correlation);

    public IReadOnlyList<MqttApplicationMessage> Received { get { lock (_received) return _received.ToList(); } }

    public IReadOnlyList<MqttApplicationMessage> On(string topic) => Received.Where(m => m.Topic == topic).ToList();

    /// <summary>Forgets what was received so far.</summary>
    public void Clear()
    {
        lock (_received) _received.Clear();
    }

    public static JsonNode Json(MqttApplicationMessage m) => JsonNode.Parse(m.Payload.ToArray())!;

    /// <summary>A command to a room's agent (MQTT 5 response topic and correlation) and its reply as JSON; the caller subscribed to <c>{root}/reply/#</c>.</summary>
    public async Task<JsonNode> AskAsync(string root, string command, JsonObject? args = null, TimeSpan? timeout = null)
    {
        var correlation = Guid.NewGuid().ToByteArray();
        var replyTo = $"{root}/reply/{_client.Options.ClientId}";
        await PublishAsync($"{root}/cmd/{command}", args ?? new JsonObject(), replyTo, correlation);
        var reply = await WaitForAsync(m => m.Topic == replyTo && m.CorrelationData is { } c && c.SequenceEqual(correlation), timeout ?? TimeSpan.FromSeconds(60),
            $"the reply to {command}");
        return Json(reply);
    }

    public async Task<MqttApplicationMessage> WaitForAsync(Func<MqttApplicationMessage, bool> match, TimeSpan timeout, string what)
    {
        MqttApplicationMessage? found = null;
        await Eventually.True(() => (found = Received.LastOrDefault(match)) is not null, timeout, what);
        return found!;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_client.IsConnected) await _client.DisconnectAsync(new MqttClientDisconnectOptions());
        }
        catch (Exception) { /* the broker may be gone already */ }
        _client.Dispose();
    }
}
