using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using EdgeAgent.Diagnostics;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Telemetry;

/// <summary>A reply waiting to be published: topic, payload, and MQTT 5 correlation data when the request had it.</summary>
public sealed record OutgoingReply(string Topic, byte[] Payload, byte[]? CorrelationData);

/// <summary>Figures about commands, shown by <c>ping</c>.</summary>
public sealed class CommandCounters
{
    private long _received, _replied, _busy, _dropped;
    public long Received => Interlocked.Read(ref _received);
    public long Replied => Interlocked.Read(ref _replied);
    public long Busy => Interlocked.Read(ref _busy);
    /// <summary>Requests that could not be answered (no usable reply topic) or whose reply did not fit the reply queue.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);
    internal void CountReceived() => Interlocked.Increment(ref _received);
    internal void CountReplied() => Interlocked.Increment(ref _replied);
    internal void CountBusy() => Interlocked.Increment(ref _busy);
    internal void CountDropped() => Interlocked.Increment(ref _dropped);
}

/// <summary>
/// Takes commands from <c>cmd/{name}</c> and answers every one it can. On the MQTT receive path it only checks
/// (size, JSON, allow-list, reply target) and hands off: commands run on their own tasks, each with a timeout,
/// at most <see cref="MaxConcurrent"/> at once and at most a token bucket's worth per second; the rest are
/// answered <c>busy</c> at once, so a flood never builds a backlog. Replies go through a bounded queue to
/// the publisher; a reply that does not fit is dropped and counted.
/// Reply target: the MQTT 5 Response Topic (with its Correlation Data), else <c>reply_to</c> from the JSON (3.1.1);
/// either must lie under <c>{root}/reply/</c>.
/// </summary>
public sealed partial class CommandRouter
{
    public const int MaxPayloadBytes = 64 * 1024;
    public const int MaxConcurrent = 4;
    private const double BucketCapacity = 20;
    private const double RefillPerSecond = 10;

    private readonly Dictionary<string, IDiagnosticCommand> _commands;
    private readonly Topics _topics;
    private readonly TimeProvider _time;
    private readonly ILogger<CommandRouter> _log;
    private readonly Channel<OutgoingReply> _replies = Channel.CreateBounded<OutgoingReply>(new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.Wait });
    private readonly SemaphoreSlim _slots = new(MaxConcurrent, MaxConcurrent);
    private readonly Lock _bucketGate = new();
    private double _tokens = BucketCapacity;
    private DateTimeOffset _lastRefill;

    public CommandRouter(IEnumerable<IDiagnosticCommand> commands, Topics topics, CommandCounters counters, TimeProvider time, ILogger<CommandRouter> log)
    {
        _commands = commands.ToDictionary(c => c.Name, StringComparer.Ordinal);
        _topics = topics;
        Counters = counters;
        _time = time;
        _log = log;
        _lastRefill = time.GetUtcNow();
    }

    public CommandCounters Counters { get; }
    public IReadOnlyCollection<string> Names => _commands.Keys;
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

        if (payload.Length > MaxPayloadBytes)
        {
            Reply(target, correlation, ReplyPayload.Failure(null, ReplyCodes.TooLarge, $"command of {payload.Length} bytes exceeds {MaxPayloadBytes} bytes"));
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
            LogUnanswerable(Printable(name));
            return;
        }
        if (!_commands.TryGetValue(name, out var command))
        {
            Reply(target, correlation, ReplyPayload.Failure(id, ReplyCodes.UnknownCommand, $"'{Printable(name)}' is not a command; known: {string.Join(", ", _commands.Keys.Order())}"));
            return;
        }
        if (!command.RateLimited)
        {
            // Cheap by contract (ping): run on the receive path, which saves a thread-pool hop on the answer.
            _ = RunAsync(command, request, id, target, correlation, holdsSlot: false);
            return;
        }
        if (!TakeToken() || !_slots.Wait(0))
        {
            Counters.CountBusy();
            Reply(target, correlation, ReplyPayload.Failure(id, ReplyCodes.Busy, "too many commands at once; try again shortly"));
            return;
        }
        _ = Task.Run(() => RunAsync(command, request, id, target, correlation, holdsSlot: true));
    }

    private async Task RunAsync(IDiagnosticCommand command, JsonObject args, string? id, string target, byte[]? correlation, bool holdsSlot)
    {
        ReplyPayload reply;
        using var deadline = new CancellationTokenSource(command.Timeout, _time);
        try
        {
            var result = await command.RunAsync(args, deadline.Token).WaitAsync(command.Timeout, _time, deadline.Token).ConfigureAwait(false);
            reply = ReplyPayload.Success(id, result);
        }
        catch (CommandException e)
        {
            reply = ReplyPayload.Failure(id, e.Code, e.Message);
        }
        catch (Exception e) when (e is TimeoutException || (e is OperationCanceledException && deadline.IsCancellationRequested))
        {
            reply = ReplyPayload.Failure(id, ReplyCodes.Timeout, $"{command.Name} did not finish within {command.Timeout.TotalSeconds:F0} s");
        }
        catch (Exception e)
        {
            LogFailed(e, command.Name);
            reply = ReplyPayload.Failure(id, ReplyCodes.Internal, $"{command.Name} failed: {e.GetType().Name}");
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
        var bytes = JsonSerializer.SerializeToUtf8Bytes(reply, TelemetryJson.Default.ReplyPayload);
        if (_replies.Writer.TryWrite(new OutgoingReply(target, bytes, correlation))) Counters.CountReplied();
        else Counters.CountDropped();
    }

    private bool TakeToken()
    {
        lock (_bucketGate)
        {
            var now = _time.GetUtcNow();
            _tokens = Math.Min(BucketCapacity, _tokens + (now - _lastRefill).TotalSeconds * RefillPerSecond);
            _lastRefill = now;
            if (_tokens < 1) return false;
            _tokens -= 1;
            return true;
        }
    }

    private static string First(string message) => message.Split('\n')[0].Split(". ")[0];

    private static string Printable(string s) => Devices.DeviceActions.Printable(s);

    [LoggerMessage(EventId = 4201, Level = LogLevel.Debug, Message = "Command {Name} dropped: no usable response topic or reply_to")]
    private partial void LogUnanswerable(string name);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Error, Message = "Command {Name} failed unexpectedly")]
    private partial void LogFailed(Exception e, string name);
}
