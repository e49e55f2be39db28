using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using EdgeAgent.Client.Broker;
using EdgeAgent.Client.Commands;
using EdgeAgent.Contract.Topics;
using EdgeAgent.Office.Configuration;
using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeAgent.Office.Fleet;

/// <summary>
/// The fleet now, from the broker's retained documents of every room (<c>state</c>, <c>health</c>, <c>compliance</c>,
/// <c>tallies</c>, <c>update</c>): one long-lived connection, a clean session (the broker sends every retained document again
/// on each connect, so nothing needs keeping across restarts). Each change is announced on <see cref="Changed"/>. The same
/// connection sends technicians' commands and the office's retained <c>config/…</c> documents.
/// </summary>
public sealed class FleetLive(OfficeOptions options, ILogger<FleetLive> log, TimeProvider time) : BackgroundService
{
    private readonly ConcurrentDictionary<string, LiveRoom> _rooms = new(StringComparer.Ordinal);
    private volatile IMqttClient? _client;

    /// <summary>A room's documents changed (raised on the MQTT thread: handlers must be quick).</summary>
    public event Action<LiveRoom>? Changed;

    public bool IsConnected => _client?.IsConnected == true;
    public string ClientId => $"edgeagent-office-live-{options.Collector.Name}";

    public IReadOnlyList<LiveRoom> Rooms => _rooms.Values.OrderBy(r => r.Id, StringComparer.Ordinal).ToList();

    public LiveRoom? Find(string id) => _rooms.TryGetValue(id, out var room) ? room : null;

    protected override Task ExecuteAsync(CancellationToken ct) => KeptConnection.RunAsync(options.Broker, BrokerClient.Options(options.Broker, ClientId, 0).Build(),
        e => { OnMessage(e); return Task.CompletedTask; },
        async (client, _) =>
        {
            var subscribe = new MqttClientSubscribeOptionsBuilder();
            foreach (var suffix in Suffix.Retained) subscribe.WithTopicFilter(f => f.WithTopic(TopicTree.Filter(suffix)).WithAtLeastOnceQoS());
            await client.SubscribeAsync(subscribe.Build(), ct).ConfigureAwait(false);
            _client = client;
            log.LogInformation("fleet view: connected to {Host}:{Port}", options.Broker.Host, options.Broker.Port);
        },
        () => _client = null, line => log.LogWarning("fleet view: {Line}", line), "edgeagent-office", time, ct);

    private void OnMessage(MqttApplicationMessageReceivedEventArgs e)
    {
        if (TopicTree.Parse(e.ApplicationMessage.Topic) is not { } at || !Suffix.Retained.Contains(at.Suffix)) return;
        var room = _rooms.GetOrAdd(at.Room.ToString(), _ => new LiveRoom(at.Room));
        lock (room)
        {
            var wasOnline = room.View.Online;
            if (e.ApplicationMessage.Payload.Length == 0 || !room.View.Apply(at.Suffix, e.ApplicationMessage.Payload.ToArray())) return;
            room.LastMessage = time.GetUtcNow();
            // Seen to change while watching (not the first retained copy after a connect): the office knows since when.
            if (wasOnline is not null && wasOnline != room.View.Online) room.ChangedAt = room.LastMessage;
        }
        Changed?.Invoke(room);
    }

    /// <summary>Something the office learned about a room besides its retained documents (its lessons ahead): pages are told.</summary>
    public void Announce(LiveRoom room) => Changed?.Invoke(room);

    /// <summary>A contract command to a room and its reply (null reply: none within <paramref name="timeout"/>).</summary>
    public async Task<CommandOutcome> SendAsync(RoomAddress room, string command, JsonObject args, TimeSpan timeout, CancellationToken ct)
    {
        var client = _client ?? throw new InvalidOperationException("the office is not connected to the broker");
        return await CommandRequester.SendAsync(client, options.Broker.IsV5, room, command, args, timeout, null, ct).ConfigureAwait(false);
    }

    /// <summary>Publishes (or with an empty payload clears) a retained office document such as <c>config/policy</c>.</summary>
    public async Task PublishRetainedAsync(string topic, string json, CancellationToken ct)
    {
        var client = _client ?? throw new InvalidOperationException("the office is not connected to the broker");
        var message = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(Encoding.UTF8.GetBytes(json))
            .WithRetainFlag().WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
        await client.PublishAsync(message, ct).ConfigureAwait(false);
    }
}
