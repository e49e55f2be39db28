using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeAgent.Client.Broker;
using EdgeAgent.Contract.Json;
using EdgeAgent.Contract.Payloads;
using EdgeAgent.Contract.Topics;
using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeAgent.Client.Commands;

/// <summary>What came back for a command: the reply, or nothing within the timeout.</summary>
public sealed record CommandOutcome(ReplyPayload? Reply, TimeSpan Elapsed)
{
    public bool Answered => Reply is not null;
    public bool Ok => Reply?.Ok == true;
}

/// <summary>
/// Sends one command to a room's agent and waits for its reply, by the agent's contract (README, MQTT contract):
/// MQTT 5 — Response Topic under the room's <c>reply/</c> with Correlation Data; always also <c>reply_to</c> and
/// <c>id</c> in the JSON (the 3.1.1 path, which is all an agent connected with 3.1.1 sees). The request expires at the broker with the timeout (MQTT 5), so a room that comes back
/// later does not run a technician's stale command.
/// </summary>
public static class CommandRequester
{
    public static async Task<CommandOutcome> SendAsync(IMqttClient client, bool v5, RoomAddress room, string command, JsonObject args, TimeSpan timeout,
        Action<TimeSpan>? progress, CancellationToken ct)
    {
        var id = Guid.NewGuid().ToString("N");
        var replyTopic = room.Topic(Suffix.Reply($"ctl-{id}"));
        var answer = new TaskCompletionSource<ReplyPayload>(TaskCreationOptions.RunContinuationsAsynchronously);
        Task OnMessage(MqttApplicationMessageReceivedEventArgs e)
        {
            if (e.ApplicationMessage.Topic != replyTopic) return Task.CompletedTask;
            try
            {
                if (JsonSerializer.Deserialize(e.ApplicationMessage.Payload.ToArray(), ContractJson.Wire.ReplyPayload) is { } reply
                    && (v5 && Encoding.UTF8.GetString(e.ApplicationMessage.CorrelationData ?? []) == id || reply.Id == id))
                    answer.TrySetResult(reply);
            }
            catch (JsonException)
            {
                answer.TrySetResult(ReplyPayload.Failure(id, "bad_reply", "the reply could not be read: it is not an edgeagent.reply/1 document"));
            }
            return Task.CompletedTask;
        }
        client.ApplicationMessageReceivedAsync += OnMessage;
        try
        {
            await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(f => f.WithTopic(replyTopic).WithAtLeastOnceQoS()).Build(), ct)
                .ConfigureAwait(false);
            var request = (JsonObject)args.DeepClone();
            var message = new MqttApplicationMessageBuilder()
                .WithTopic(room.Topic(Suffix.Command(command)))
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
            // Both reply paths: an agent connected with 3.1.1 never sees MQTT 5 properties (the broker drops them), so
            // id and reply_to ride in the JSON too; an MQTT 5 agent prefers the Response Topic.
            request["id"] = id;
            request["reply_to"] = replyTopic;
            if (v5)
            {
                message.WithResponseTopic(replyTopic).WithCorrelationData(Encoding.UTF8.GetBytes(id))
                    .WithMessageExpiryInterval((uint)Math.Max(1, Math.Ceiling(timeout.TotalSeconds)));
            }
            message.WithPayload(Encoding.UTF8.GetBytes(request.ToJsonString()));
            var clock = System.Diagnostics.Stopwatch.StartNew();
            await client.PublishAsync(message.Build(), ct).ConfigureAwait(false);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            deadline.CancelAfter(timeout);
            while (!answer.Task.IsCompleted && !deadline.IsCancellationRequested)
            {
                try
                {
                    await answer.Task.WaitAsync(TimeSpan.FromSeconds(1), deadline.Token).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    progress?.Invoke(clock.Elapsed);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                }
            }
            ct.ThrowIfCancellationRequested();
            return new CommandOutcome(answer.Task.IsCompletedSuccessfully ? answer.Task.Result : null, clock.Elapsed);
        }
        finally
        {
            client.ApplicationMessageReceivedAsync -= OnMessage;
        }
    }
}
