using System.Text.Json;
using EdgeAgent.Client.Broker;
using EdgeAgent.Configuration;
using EdgeAgent.Contract.Json;
using EdgeAgent.Contract.Payloads;
using EdgeAgent.Contract.Time;
using EdgeAgent.Contract.Topics;
using EdgeAgent.Contract.Vocabulary;
using EdgeAgent.Devices;
using EdgeAgent.Kernel;
using EdgeAgent.State;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Exceptions;
using System.Buffers;
using MQTTnet.Protocol;

namespace EdgeAgent.Telemetry;

/// <summary>
/// The agent's one MQTT connection (MQTTnet 5 has no managed client: reconnect and the outbox are ours).
/// Connects with the Last Will (<c>state</c> = offline, retained), a persistent session, optional TLS with a
/// client certificate; after every (re)connect it subscribes to <c>cmd/+</c> (MQTT 5: Retain As Published, so a
/// command delivered because it was retained is seen as such and never executed) and <c>config/+</c> (office
/// documents, handed to the <see cref="IOfficeDocumentReceiver"/> that takes their suffix), publishes the
/// birth message and the health document (both retained), then drains the outbox in order, deleting each
/// message only after its PUBACK, and publishes health on change and as the heartbeat. Lost connections are
/// retried with exponential backoff and jitter up to <c>broker.reconnectMaxSeconds</c>. A main loop: it beats
/// the watchdog while connected and while waiting to reconnect.
/// </summary>
public sealed partial class MqttLink : BackgroundService
{
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);
    private readonly AgentOptions _options;
    private readonly RoomTopics _topics;
    private readonly Outbox _outbox;
    private readonly HealthReporter _health;
    private readonly CommandRouter _commands;
    private readonly DeviceRegistry _devices;
    private readonly IReadOnlyDictionary<string, IOfficeDocumentReceiver> _documents;
    private readonly EventSink _events;
    private readonly HashSet<string> _retainedSeen = new(StringComparer.Ordinal);
    private readonly MainLoops _loops;
    private readonly TimeProvider _time;
    private readonly ILogger<MqttLink> _log;
    private readonly IMqttClient _client;
    private readonly DateTimeOffset _startedAt;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private TaskCompletionSource _disconnected = NewSignal();
    private int _connects;
    private int _attempts;
    private string? _lastFailure;

    public MqttLink(AgentOptions options, RoomTopics topics, Outbox outbox, HealthReporter health, CommandRouter commands,
        DeviceRegistry devices, IEnumerable<IOfficeDocumentReceiver> documents, EventSink events, MainLoops loops, TimeProvider time, ILogger<MqttLink> log)
    {
        _documents = documents.ToDictionary(d => topics.Room.Topic(d.Suffix), StringComparer.Ordinal);
        _events = events;
        _options = options;
        _topics = topics;
        _outbox = outbox;
        _health = health;
        _commands = commands;
        _devices = devices;
        _loops = loops;
        _time = time;
        _log = log;
        _startedAt = time.GetUtcNow();
        _client = new MqttClientFactory().CreateMqttClient();
        _client.DisconnectedAsync += e =>
        {
            _disconnected.TrySetResult();
            return Task.CompletedTask;
        };
        _client.ApplicationMessageReceivedAsync += OnMessageAsync;
        _health.Changed += Wake;
    }

    public bool IsConnected => _client.IsConnected;

    /// <summary>Connected, subscribed to commands and config, birth published: commands sent now are answered.</summary>
    public bool IsReady => _ready && _client.IsConnected;

    private volatile bool _ready;
    /// <summary>Successful connections so far.</summary>
    public int Connects => Volatile.Read(ref _connects);
    /// <summary>Connection attempts so far, successful or not.</summary>
    public int Attempts => Volatile.Read(ref _attempts);
    public string? LastFailure => _lastFailure;

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void Wake()
    {
        try { _wake.Release(); } catch (SemaphoreFullException) { }
    }

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        var beat = _loops.Register("telemetry", TimeSpan.FromSeconds(Math.Max(120, _options.Broker.KeepAliveSeconds * 4)));
        var attempt = 0;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await ConnectAsync(ct).ConfigureAwait(false);
                attempt = 0;
                await RunConnectedAsync(beat, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                var reason = Describe(e);
                if (reason != _lastFailure) LogConnectFailed(_options.Broker.Host, _options.Broker.Port, reason);
                _lastFailure = reason;
            }
            var delay = Backoff(attempt++);
            LogRetry(delay.TotalSeconds);
            await WaitBeatingAsync(delay, beat, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Exponential backoff, 1 s doubling to the cap, with jitter over the upper half so that a fleet spreads out.</summary>
    internal TimeSpan Backoff(int attempt) => Client.Broker.Backoff.Delay(attempt, 1, _options.Broker.ReconnectMaxSeconds);

    private async Task WaitBeatingAsync(TimeSpan delay, LoopBeat beat, CancellationToken ct)
    {
        var until = _time.GetUtcNow() + delay;
        while (!ct.IsCancellationRequested)
        {
            beat.Beat();
            var left = until - _time.GetUtcNow();
            if (left <= TimeSpan.Zero) return;
            try
            {
                await Task.Delay(left < Tick ? left : Tick, _time, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task ConnectAsync(CancellationToken ct)
    {
        if (_client.IsConnected) await _client.DisconnectAsync(new MqttClientDisconnectOptions(), ct).ConfigureAwait(false);
        _disconnected = NewSignal();
        Interlocked.Increment(ref _attempts);
        var result = await _client.ConnectAsync(BuildOptions(), ct).ConfigureAwait(false);
        if (result.ResultCode != MqttClientConnectResultCode.Success)
            throw new InvalidOperationException($"broker refused the connection: {result.ResultCode} {result.ReasonString}");
        Interlocked.Increment(ref _connects);
        _lastFailure = null;
        LogConnected(_options.Broker.Host, _options.Broker.Port, Words.Of(_options.Broker.Protocol), result.IsSessionPresent);
    }

    internal MqttClientOptions BuildOptions()
    {
        var b = _options.Broker;
        return BrokerClient.Options(b, b.ClientId ?? $"edgeagent-{_options.Region}-{_options.School}-{_options.Room}", (uint)b.SessionExpirySeconds)
            .WithWillTopic(_topics.State)
            .WithWillPayload(Offline())
            .WithWillRetain(true)
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
    }

    private async Task RunConnectedAsync(LoopBeat beat, CancellationToken ct)
    {
        lock (_retainedSeen) _retainedSeen.Clear();
        await _client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            // Retain As Published (MQTT 5): a command someone published retained keeps its flag on delivery too, so it
            // is recognised and dropped whether it arrives at subscribe time or later. 3.1.1 flags only the former.
            .WithTopicFilter(f => f.WithTopic(_topics.CommandFilter).WithAtLeastOnceQoS().WithRetainAsPublished(_options.Broker.IsV5))
            .WithTopicFilter(f => f.WithTopic(_topics.ConfigFilter).WithAtLeastOnceQoS())
            .Build(), ct).ConfigureAwait(false);
        await PublishAsync(_topics.State, Birth(), retain: true, ct).ConfigureAwait(false);
        await PublishHealthAsync(ct).ConfigureAwait(false);
        _ready = true;

        using var connection = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var replies = Task.Run(() => PublishRepliesAsync(connection.Token), CancellationToken.None);
        try
        {
            var heartbeat = TimeSpan.FromSeconds(_options.Broker.HeartbeatSeconds);
            var nextHeartbeat = _time.GetUtcNow() + heartbeat;
            while (!ct.IsCancellationRequested)
            {
                beat.Beat();
                if (_disconnected.Task.IsCompleted) throw new InvalidOperationException("connection to the broker lost");
                _outbox.ConsumeSignal();
                await DrainOutboxAsync(beat, ct).ConfigureAwait(false);
                if (_health.Dirty || _time.GetUtcNow() >= nextHeartbeat)
                {
                    await PublishHealthAsync(ct).ConfigureAwait(false);
                    nextHeartbeat = _time.GetUtcNow() + heartbeat;
                }
                var until = nextHeartbeat - _time.GetUtcNow();
                var wait = until < Tick ? (until > TimeSpan.Zero ? until : TimeSpan.Zero) : Tick;
                // The waits that lose are cancelled: left pending on the connection's token, every pass would leave
                // a semaphore waiter and a channel reader behind (a leak, and the oldest stale waiter would take the
                // next wake-up, so a health change waited for the next tick).
                using var pass = CancellationTokenSource.CreateLinkedTokenSource(ct);
                await Task.WhenAny(
                    _outbox.WaitForWorkAsync(pass.Token).AsTask(),
                    _wake.WaitAsync(pass.Token),
                    _disconnected.Task,
                    Task.Delay(wait, _time, pass.Token)).ConfigureAwait(false);
                await pass.CancelAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _ready = false;
            connection.Cancel();
            try { await replies.ConfigureAwait(false); } catch (OperationCanceledException) { }
        }
    }

    private async Task DrainOutboxAsync(LoopBeat beat, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            beat.Beat(); // a long backlog after an outage is progress, not a hang
            var batch = _outbox.Peek(100);
            if (batch.Count == 0) return;
            foreach (var message in batch)
            {
                await PublishAsync(message.Topic, message.Payload, message.Retain, ct).ConfigureAwait(false);
                _outbox.Delete(message.Seq); // only after the broker's PUBACK
            }
        }
    }

    private async Task PublishRepliesAsync(CancellationToken ct)
    {
        try
        {
            while (await _commands.Replies.WaitToReadAsync(ct).ConfigureAwait(false))
            {
                while (_commands.Replies.TryPeek(out var reply))
                {
                    var message = new MqttApplicationMessageBuilder()
                        .WithTopic(reply.Topic)
                        .WithPayload(reply.Payload)
                        .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
                    // MQTT 5 properties only on an MQTT 5 connection: MQTTnet refuses them on 3.1.1 (the reply would never leave).
                    if (_options.Broker.IsV5)
                    {
                        message.WithContentType("application/json");
                        if (reply.CorrelationData is { } correlation) message.WithCorrelationData(correlation);
                    }
                    try
                    {
                        await _client.PublishAsync(message.Build(), ct).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is not (OperationCanceledException or MqttCommunicationException or InvalidOperationException))
                    {
                        // A reply the client will not send is dropped, logged; the replies after it still go.
                        LogMessageFailed(e, reply.Topic);
                    }
                    _commands.Replies.TryRead(out _);
                }
            }
        }
        catch (OperationCanceledException) { }
        catch (Exception e) when (e is MqttCommunicationException or InvalidOperationException)
        {
            // The connection went; the main loop reconnects and a new publisher resumes with the queued replies.
        }
    }

    private async Task PublishHealthAsync(CancellationToken ct) =>
        await PublishAsync(_topics.Health, _health.Build(), retain: true, ct).ConfigureAwait(false);

    private async Task PublishAsync(string topic, byte[] payload, bool retain, CancellationToken ct)
    {
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithRetainFlag(retain)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        var result = await _client.PublishAsync(message, ct).ConfigureAwait(false);
        if (!result.IsSuccess)
            throw new InvalidOperationException($"broker did not accept a message on {topic}: {result.ReasonCode} {result.ReasonString}");
    }

    private Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        var m = e.ApplicationMessage;
        try
        {
            if (m.Topic.StartsWith(_topics.CommandPrefix, StringComparison.Ordinal))
            {
                if (m.Retain) DropRetainedCommand(m.Topic);
                else _commands.Handle(m.Topic, m.Payload, m.ResponseTopic, m.CorrelationData);
            }
            else if (_documents.TryGetValue(m.Topic, out var receiver) && m.Payload.Length > 0)
                receiver.Receive(BuffersExtensions.ToArray(m.Payload));
        }
        catch (Exception ex)
        {
            LogMessageFailed(ex, m.Topic);
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// A command delivered because it was retained is never run: it would run again at every reconnect. Counted each
    /// time; raised as <c>commands-dropped</c> once per topic and connection, so a retained flood cannot flood events.
    /// </summary>
    private void DropRetainedCommand(string topic)
    {
        _commands.Counters.CountRetained();
        bool first;
        lock (_retainedSeen) first = _retainedSeen.Add(topic);
        LogRetainedDropped(topic);
        if (first)
            _events.Raise(EventTypes.CommandsDropped, Severity.Warning, null,
                $"a retained command on {topic} was not executed (commands must not be published retained; clear it with an empty retained message)");
    }

    private byte[] Birth() => JsonSerializer.SerializeToUtf8Bytes(
        new StatePayload(StatePayload.SchemaId, true, AgentVersion.Current, _options.Role, SchoolTime.Of(_startedAt), _devices.All.Select(d => d.Id).ToList()),
        ContractJson.Wire.StatePayload);

    internal static byte[] Offline() => JsonSerializer.SerializeToUtf8Bytes(StatePayload.Offline(), ContractJson.Wire.StatePayload);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (!_client.IsConnected) return;
        // A clean stop says so itself: the broker only sends the Will when the connection breaks.
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(TimeSpan.FromSeconds(3));
        try
        {
            await PublishAsync(_topics.State, Offline(), retain: true, limit.Token).ConfigureAwait(false);
            await _client.DisconnectAsync(new MqttClientDisconnectOptions(), limit.Token).ConfigureAwait(false);
            LogStoppedCleanly();
        }
        catch (Exception e) when (e is OperationCanceledException or MqttCommunicationException or InvalidOperationException)
        {
            LogStopFailed(e.Message);
        }
    }

    public override void Dispose()
    {
        _health.Changed -= Wake;
        _client.Dispose();
        base.Dispose();
    }

    private static string Describe(Exception e)
    {
        var inner = e;
        while (inner.InnerException is not null) inner = inner.InnerException;
        return inner == e ? $"{e.GetType().Name}: {e.Message}" : $"{e.GetType().Name}: {e.Message} ({inner.GetType().Name}: {inner.Message})";
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Connected to broker {Host}:{Port} (MQTT {Protocol}, session present {SessionPresent})")]
    private partial void LogConnected(string host, int port, string protocol, bool sessionPresent);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "Broker {Host}:{Port} not reachable or refused: {Reason}")]
    private partial void LogConnectFailed(string host, int port, string reason);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Debug, Message = "Reconnecting in {Seconds:F1} s")]
    private partial void LogRetry(double seconds);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Error, Message = "Handling a message on {Topic} failed")]
    private partial void LogMessageFailed(Exception e, string topic);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Information, Message = "Published offline state and disconnected")]
    private partial void LogStoppedCleanly();

    [LoggerMessage(EventId = 4006, Level = LogLevel.Warning, Message = "Could not say goodbye to the broker: {Reason}")]
    private partial void LogStopFailed(string reason);

    [LoggerMessage(EventId = 4007, Level = LogLevel.Warning, Message = "A retained command on {Topic} was dropped, not executed")]
    private partial void LogRetainedDropped(string topic);
}
