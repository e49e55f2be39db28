using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using EdgeAgent.Client.Broker;
using EdgeAgent.Client.Terminal;
using EdgeAgent.Contract.Json;
using EdgeAgent.Contract.Payloads;
using EdgeAgent.Contract.Topics;
using EdgeAgent.Contract.Vocabulary;
using EdgeAgent.Ctl.Broker;
using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeAgent.Ctl.Fleet;

/// <summary>
/// <c>edgeagent-ctl update</c>: a rollout's progress ring by ring (every room's retained <c>update</c>), and the office's
/// halt: <c>update halt RING</c> sets the ring halted in every room's retained <c>config/update</c> (a halted ring stays
/// where it is), <c>update resume RING</c> lifts it.
/// </summary>
public static class UpdateCommand
{
    /// <summary>The line of <c>status</c>.</summary>
    public static string Line(UpdateStatus? u) => u is null
        ? "Update: no status retained yet"
        : $"Update: {u.State} — runs {u.Current}{(u.Target is { } t && t != u.Current ? $", ring {u.Ring} wants {t}" : u.Ring is { } r ? $", ring {r}" : "")}: {u.Detail}" +
          (u.Last is { } l ? $" (last: {l.Outcome} {l.Version} at {l.At}{(l.Reason is { } why ? $", {why}" : "")})" : "");

    /// <summary>The column of <c>rooms</c>.</summary>
    public static string Short(UpdateStatus? u) => u switch
    {
        null => "-",
        { State: UpdateStates.Current or UpdateStates.None } => $"{u.Current}",
        _ => $"{u.State} {u.Current}→{u.Target}",
    };

    public static async Task<int> ProgressAsync(BrokerOptions broker, string? region, string? school, bool json, TextWriter output, CancellationToken ct)
    {
        var rooms = await RetainedView.ReadAsync(broker, region ?? "+", school ?? "+", "+", ct).ConfigureAwait(false);
        var rings = rooms.Where(r => r.Update is not null).GroupBy(r => r.Update!.Ring ?? "-").OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        if (json)
        {
            var array = new JsonArray();
            foreach (var g in rings)
                array.Add(new JsonObject
                {
                    ["ring"] = g.Key, ["target"] = g.Select(r => r.Update!.Target).FirstOrDefault(t => t is not null), ["rooms"] = g.Count(),
                    ["states"] = new JsonObject(g.GroupBy(r => r.Update!.State).Select(s => KeyValuePair.Create(s.Key, (JsonNode?)s.Count()))),
                    ["failed"] = new JsonArray(g.Where(r => r.Update!.State == UpdateStates.Failed).Select(r => (JsonNode?)r.Room.ToString()).ToArray()),
                });
            output.WriteLine(array.ToJsonString(ContractJson.Pretty.Options));
            return CtlExit.Ok;
        }
        if (rings.Count == 0)
        {
            output.WriteLine("No room has retained an update status.");
            return CtlExit.Ok;
        }
        var table = Tables.Plain("RING", "TARGET", "ROOMS", "CURRENT", "WAITING", "REQUESTED", "FAILED", "HALTED");
        foreach (var g in rings)
        {
            int Count(string state) => g.Count(r => r.Update!.State == state);
            table.AddRow(g.Key, g.Select(r => r.Update!.Target).FirstOrDefault(t => t is not null) ?? "-", g.Count().ToString(System.Globalization.CultureInfo.InvariantCulture),
                Count(UpdateStates.Current).ToString(System.Globalization.CultureInfo.InvariantCulture), Count(UpdateStates.Waiting).ToString(System.Globalization.CultureInfo.InvariantCulture),
                Count(UpdateStates.Requested).ToString(System.Globalization.CultureInfo.InvariantCulture), Count(UpdateStates.Failed).ToString(System.Globalization.CultureInfo.InvariantCulture),
                Count(UpdateStates.Halted).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        Tables.Write(output, table);
        foreach (var r in rooms.Where(r => r.Update?.State == UpdateStates.Failed))
            output.WriteLine($"failed: {r.Room} — {r.Update!.Detail}");
        return CtlExit.Ok;
    }

    /// <summary>Sets <c>halted</c> of <paramref name="ring"/> in every retained policy under the filter; the number of rooms changed.</summary>
    public static async Task<int> HaltAsync(BrokerOptions broker, string ring, bool halted, string? region, string? school, TextWriter output, CancellationToken ct)
    {
        if (!TopicTree.IsCode(ring)) throw new CtlException($"edgeagent-ctl: '{ring}' is not a ring name", CtlExit.Usage);
        using var client = await BrokerSession.ConnectAsync(broker, BrokerSession.ClientId("update"), ct).ConfigureAwait(false);
        var policies = new ConcurrentDictionary<string, JsonObject>();
        var last = System.Diagnostics.Stopwatch.StartNew();
        client.ApplicationMessageReceivedAsync += e =>
        {
            last.Restart();
            if (e.ApplicationMessage.Payload.Length == 0) return Task.CompletedTask;
            try
            {
                if (JsonNode.Parse(e.ApplicationMessage.Payload.ToArray()) is JsonObject doc) policies[e.ApplicationMessage.Topic] = doc;
            }
            catch (System.Text.Json.JsonException)
            {
                // not a policy: left alone
            }
            return Task.CompletedTask;
        };
        await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(f => f.WithTopic(TopicTree.Filter(Suffix.ConfigUpdate, region, school)).WithAtLeastOnceQoS()).Build(), ct).ConfigureAwait(false);
        var until = System.Diagnostics.Stopwatch.StartNew();
        while (last.Elapsed < TimeSpan.FromMilliseconds(500) && until.Elapsed < TimeSpan.FromSeconds(15))
            await Task.Delay(TimeSpan.FromMilliseconds(50), ct).ConfigureAwait(false);
        var changed = 0;
        foreach (var (topic, doc) in policies.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (doc["rings"] is not JsonArray rings) continue;
            var hit = rings.OfType<JsonObject>().FirstOrDefault(r => r["name"]?.GetValue<string>() == ring);
            if (hit is null) continue;
            hit["halted"] = halted;
            await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(doc.ToJsonString())
                .WithRetainFlag().WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), ct).ConfigureAwait(false);
            changed++;
        }
        await client.DisconnectAsync(new MqttClientDisconnectOptions(), CancellationToken.None).ConfigureAwait(false);
        output.WriteLine($"ring {ring} {(halted ? "halted" : "resumed")} in {changed} room(s)' policy");
        return changed > 0 ? CtlExit.Ok : CtlExit.Failed;
    }
}
