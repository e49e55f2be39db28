using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeAgent.Configuration;
using EdgeAgent.Ctl.Broker;
using MQTTnet;

namespace EdgeAgent.Ctl.Fleet;

/// <summary>What the broker keeps of one room: its retained <c>state</c>, <c>health</c>, <c>compliance</c>, <c>tallies</c>.</summary>
public sealed class RoomView(RoomAddress room)
{
    public RoomAddress Room { get; } = room;
    public JsonObject? State { get; set; }
    public JsonObject? Health { get; set; }
    public JsonObject? Compliance { get; set; }
    public JsonObject? Tallies { get; set; }

    public bool? Online => State?["online"]?.GetValue<bool>();
    public DateTimeOffset? HealthAt => Time(Health?["at"]);
    public DateTimeOffset? StartedAt => Time(State?["startedAt"]);

    /// <summary>Devices not <c>online</c>, with their state.</summary>
    public IReadOnlyList<string> DeviceProblems =>
        Health?["devices"] is JsonArray devices
            ? devices.OfType<JsonObject>().Where(d => d["state"]?.GetValue<string>() != "online")
                .Select(d => $"{d["id"]?.GetValue<string>()}:{d["state"]?.GetValue<string>()}").ToList()
            : [];

    internal static DateTimeOffset? Time(JsonNode? node) =>
        node?.GetValueKind() == JsonValueKind.String && DateTimeOffset.TryParse(node.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal, out var t) ? t : null;
}

/// <summary>
/// Reads the retained documents of the fleet (or a part of it) from the broker. MQTT has no "end of retained
/// messages" marker: they arrive right after the SUBACK, so the view is complete once the broker has been quiet
/// for <c>quiet</c> (default 500 ms) after the last one, bounded by <c>limit</c>.
/// </summary>
public static class RetainedView
{
    public static readonly string[] Suffixes = ["state", "health", "compliance", "tallies"];

    public static async Task<IReadOnlyList<RoomView>> ReadAsync(BrokerOptions broker, string region, string school, string room, CancellationToken ct,
        TimeSpan? quiet = null, TimeSpan? limit = null)
    {
        using var client = await BrokerSession.ConnectAsync(broker, BrokerSession.ClientId("view"), ct).ConfigureAwait(false);
        var rooms = new ConcurrentDictionary<string, RoomView>();
        var last = System.Diagnostics.Stopwatch.StartNew();
        client.ApplicationMessageReceivedAsync += e =>
        {
            last.Restart();
            if (RoomAddress.FromTopic(e.ApplicationMessage.Topic) is not { } at || e.ApplicationMessage.Payload.Length == 0) return Task.CompletedTask;
            JsonObject? doc;
            try
            {
                doc = JsonNode.Parse(e.ApplicationMessage.Payload.ToArray()) as JsonObject;
            }
            catch (JsonException)
            {
                return Task.CompletedTask; // not ours to judge here; `status` shows what it can
            }
            var view = rooms.GetOrAdd(at.Room.ToString(), _ => new RoomView(at.Room));
            lock (view)
            {
                switch (at.Suffix)
                {
                    case "state": view.State = doc; break;
                    case "health": view.Health = doc; break;
                    case "compliance": view.Compliance = doc; break;
                    case "tallies": view.Tallies = doc; break;
                }
            }
            return Task.CompletedTask;
        };
        var subscribe = new MqttClientSubscribeOptionsBuilder();
        foreach (var suffix in Suffixes)
            subscribe.WithTopicFilter(f => f.WithTopic($"edu/{region}/{school}/{room}/edgeagent/{suffix}").WithAtLeastOnceQoS());
        await client.SubscribeAsync(subscribe.Build(), ct).ConfigureAwait(false);
        last.Restart();
        var q = quiet ?? TimeSpan.FromMilliseconds(500);
        var until = System.Diagnostics.Stopwatch.StartNew();
        while (last.Elapsed < q && until.Elapsed < (limit ?? TimeSpan.FromSeconds(15)))
            await Task.Delay(TimeSpan.FromMilliseconds(50), ct).ConfigureAwait(false);
        await client.DisconnectAsync(new MqttClientDisconnectOptions(), CancellationToken.None).ConfigureAwait(false);
        return rooms.Values.OrderBy(r => r.Room.ToString(), StringComparer.Ordinal).ToList();
    }
}
