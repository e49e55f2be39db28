using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using System.Threading.RateLimiting;
using EdgeAgent.Contract.Commands;
using EdgeAgent.Contract.Json;
using EdgeAgent.Contract.Payloads;
using EdgeAgent.Contract.Topics;
using EdgeAgent.Contract.Vocabulary;
using EdgeAgent.Kernel;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Telemetry;

/// <summary>A reply waiting to be published: topic, payload, and MQTT 5 correlation data when the request had it.</summary>
public sealed record OutgoingReply(string Topic, byte[] Payload, byte[]? CorrelationData);

/// <summary>
/// Takes commands from <c>cmd/{name}</c> and answers every one it can. It knows the commands by the contract only:
/// the allow-list (<see cref="AgentCommands"/>) and one <see cref="ICommandHandler"/> per command. On the MQTT receive
/// path it only checks (size, JSON, allow-list, arguments, reply target) and hands off: commands run on their own
/// tasks, each with its time limit, at most <see cref="MaxConcurrent"/> at once and at most a token bucket's worth per
/// second; the rest are answered <c>busy</c> at once, so a flood never builds a backlog. Replies go through a bounded
/// queue to the publisher; a reply that does not fit is dropped and counted.
/// Reply target: the MQTT 5 Response Topic (with its Correlation Data), else <c>reply_to</c> from the JSON (3.1.1);
/// either must lie under <c>{root}/reply/</c>.
/// </summary>
public sealed partial class CommandRouter
{
    public const int MaxConcurrent = 4;
    private const int BucketCapacity = 20;
    private static readonly TimeSpan RefillPeriod = TimeSpan.FromMilliseconds(100); // 10 commands a second

    private readonly Dictionary<string, ICommandHandler> _handlers;
    private readonly RoomTopics _topics;
    private readonly TimeProvider _time;
    private readonly ILogger<CommandRouter> _log;
    private readonly Channel<OutgoingReply> _replies = Channel.CreateBounded<OutgoingReply>(new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.Wait });
    private readonly SemaphoreSlim _slots = new(MaxConcurrent, MaxConcurrent);
    // System.Threading.RateLimiting's bucket runs on the real clock (it takes no TimeProvider): a command's time limit
    // follows the router's clock, the rate limit real time.
    private readonly TokenBucketRateLimiter _bucket = new(new TokenBucketRateLimiterOptions
    {
        TokenLimit = BucketCapacity, TokensPerPeriod = 1, ReplenishmentPeriod = RefillPeriod, AutoReplenishment = true, QueueLimit = 0,
    });

    public CommandRouter(IEnumerable<ICommandHandler> handlers, RoomTopics topics, CommandCounters counters, TimeProvider time, ILogger<CommandRouter> log)
    {
        _handlers = handlers.ToDictionary(c => c.Command.Name, StringComparer.Ordinal);
        var unknown = _handlers.Keys.Where(n => AgentCommands.Find(n) is null).ToList();
        if (unknown.Count > 0) throw new InvalidOperationException($"handlers for commands not in the contract's allow-list: {string.Join(", ", unknown)}");
        _topics = topics;
        Counters = counters;
        _time = time;
        _log = log;
    }

    public CommandCounters Counters { get; }
    public ChannelReader<OutgoingReply> Replies => _replies.Reader;

    /// <summary>Handles one incoming message. Returns quickly; the command runs in the background. Never throws.</summary>
    public void Handle(string topic, ReadOnlySequence<byte> payload, string? responseTopic, byte[]? correlationData)
    {
        Counters.CountReceived();
        var target = _topics.IsAllowedReplyTopic(responseTopic) ? responseTopic : null;
        var correlation = target is null ? null : correlationData;
        try
        {
            Dispatch(topic, payload, target, correlation);
        }
        catch (Exception e)
        {
            // Whatever a request does, it gets one answer (or one counted drop) and the agent goes on.
            LogFailed(e, "(dispatch)");
            Reply(target, correlation, ReplyPayload.Failure(null, ReplyCodes.Internal, "the command could not be handled"));
        }
    }

    private void Dispatch(string topic, ReadOnlySequence<byte> payload, string? target, byte[]? correlation)
    {
        var name = topic.StartsWith(_topics.CommandPrefix, StringComparison.Ordinal) ? topic[_topics.CommandPrefix.Length..] : "";

        if (payload.Length > AgentCommands.MaxPayloadBytes)
        {
            Reply(target, correlation, ReplyPayload.Failure(null, ReplyCodes.TooLarge, $"command of {payload.Length} bytes exceeds {AgentCommands.MaxPayloadBytes} bytes"));
            return;
        }
        JsonObject request;
        try
        {
            var node = JsonNode.Parse(BuffersExtensions.ToArray(payload), documentOptions: new JsonDocumentOptions { MaxDepth = 16, AllowDuplicateProperties = false });
            request = node as JsonObject ?? throw new JsonException("the command must be a JSON object");
            _ = request.Count; // materialize now, so that a malformed object fails here
        }
        catch (Exception e) when (e is JsonException or ArgumentException or DecoderFallbackException or InvalidOperationException)
        {
            Reply(target, correlation, ReplyPayload.Failure(null, ReplyCodes.BadJson, $"not a JSON object: {First(e.Message)}"));
            return;
        }

        string? id = null;
        if (request.TryGetPropertyValue("id", out var idNode))
        {
            if (idNode?.GetValueKind() == JsonValueKind.String && idNode.GetValue<string>() is { Length: > 0 and <= 128 } text) id = text;
            request.Remove("id");
        }
        if (request.TryGetPropertyValue("reply_to", out var replyNode))
        {
            if (target is null && replyNode?.GetValueKind() == JsonValueKind.String && _topics.IsAllowedReplyTopic(replyNode.GetValue<string>()))
                target = replyNode.GetValue<string>();
            request.Remove("reply_to");
        }
        if (target is null)
        {
            Counters.CountDropped();
            LogUnanswerable(Printable.Of(name));
            return;
        }
        if (!_handlers.TryGetValue(name, out var handler))
        {
            Reply(target, correlation, ReplyPayload.Failure(id, ReplyCodes.UnknownCommand, $"'{Printable.Of(name)}' is not a command; known: {string.Join(", ", _handlers.Keys.Order())}"));
            return;
        }
        CommandArguments args;
        try
        {
            args = handler.Command.Check(request);
        }
        catch (CommandException e)
        {
            Reply(target, correlation, ReplyPayload.Failure(id, e.Code, e.Message));
            return;
        }
        if (!handler.Command.RateLimited)
        {
            // Cheap by contract (ping): run on the receive path, which saves a thread-pool hop on the answer.
            _ = RunAsync(handler, args, id, target, correlation, holdsSlot: false);
            return;
        }
        if (!TakeToken() || !_slots.Wait(0))
        {
            Counters.CountBusy();
            Reply(target, correlation, ReplyPayload.Failure(id, ReplyCodes.Busy, "too many commands at once; try again shortly"));
            return;
        }
        _ = Task.Run(() => RunAsync(handler, args, id, target, correlation, holdsSlot: true));
    }

    private async Task RunAsync(ICommandHandler handler, CommandArguments args, string? id, string target, byte[]? correlation, bool holdsSlot)
    {
        ReplyPayload reply;
        var spec = handler.Command;
        using var deadline = new CancellationTokenSource(spec.Timeout, _time);
        try
        {
            var result = await handler.RunAsync(args, deadline.Token).WaitAsync(spec.Timeout, _time, deadline.Token).ConfigureAwait(false);
            reply = ReplyPayload.Success(id, result);
        }
        catch (CommandException e)
        {
            reply = ReplyPayload.Failure(id, e.Code, Redaction.Text(e.Message));
        }
        catch (Exception e) when (e is TimeoutException || (e is OperationCanceledException && deadline.IsCancellationRequested))
        {
            reply = ReplyPayload.Failure(id, ReplyCodes.Timeout, $"{spec.Name} did not finish within {spec.Timeout.TotalSeconds:F0} s");
        }
        catch (Exception e)
        {
            LogFailed(e, spec.Name);
            reply = ReplyPayload.Failure(id, ReplyCodes.Internal, $"{spec.Name} failed: {e.GetType().Name}");
        }
        finally
        {
            if (holdsSlot) _slots.Release();
        }
        Reply(target, correlation, reply);
    }

    private void Reply(string? target, byte[]? correlation, ReplyPayload reply)
    {
        if (target is null)
        {
            Counters.CountDropped();
            return;
        }
        var bytes = JsonSerializer.SerializeToUtf8Bytes(reply, ContractJson.Wire.ReplyPayload);
        if (_replies.Writer.TryWrite(new OutgoingReply(target, bytes, correlation))) Counters.CountReplied();
        else Counters.CountDropped();
    }

    private bool TakeToken()
    {
        using var lease = _bucket.AttemptAcquire();
        return lease.IsAcquired;
    }

    private static string First(string message) => message.Split('\n')[0].Split(". ")[0];

    [LoggerMessage(EventId = 4201, Level = LogLevel.Debug, Message = "Command {Name} dropped: no usable response topic or reply_to")]
    private partial void LogUnanswerable(string name);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Error, Message = "Command {Name} failed unexpectedly")]
    private partial void LogFailed(Exception e, string name);
}
