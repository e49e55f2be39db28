using System.Globalization;
using System.Text;
using EdgeAgent.Hardware.Health;
using EdgeAgent.Hardware.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Hardware.Audio;

public sealed record MicArraySettings
{
    public TimeSpan ReplyTimeout { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>How long a connection whose request timed out is kept reading, to catch (and count) the late answer.</summary>
    public TimeSpan LateReplyWindow { get; init; } = TimeSpan.FromSeconds(15);
}

/// <summary>
/// A ceiling microphone array over Shure-style TCP command strings (port 2202), as the command-string references of
/// the MXA910/MXA920 describe them:
/// <list type="bullet">
/// <item>the room's mute is the device mute, <c>&lt; GET DEVICE_AUDIO_MUTE &gt;</c> / <c>&lt; SET DEVICE_AUDIO_MUTE ON &gt;</c>,
///   answered <c>&lt; REP DEVICE_AUDIO_MUTE ON &gt;</c> (channel mutes are <c>&lt; REP nn AUDIO_MUTE ON &gt;</c>, kept as state);</item>
/// <item>gain per channel <c>&lt; SET nn AUDIO_GAIN_HI_RES 0000..1400 &gt;</c> in tenths of a dB above -110 dB;</item>
/// <item>metering <c>&lt; SET METER_RATE sssss &gt;</c> (ms, 00000 off) and <c>&lt; SAMPLE aaa bbb … &gt;</c> lines;</item>
/// <item><c>&lt; GET 0 ALL &gt;</c> once per connection, which the array answers with a report of every parameter;</item>
/// <item>channel numbers one digit on some models (MXA910: 1..9) and two on others (01..): the driver writes them the
///   way the array reports them (two digits until it has heard one).</item>
/// </list>
/// One connection, one request at a time; a reader applies every REP (answers and unsolicited change reports alike)
/// and SAMPLE line to the cached state, and a request waits for the REP that names its parameter and channel. The
/// protocol has no request ids, so a request that times out retires its connection: the late answer arrives there, is
/// counted in <see cref="LateReplies"/> and discarded, and can never be taken as the answer to a later request. The next
/// request opens a fresh connection.
/// </summary>
public sealed partial class CommandStringMicArray(
    string id,
    IStreamConnector connector,
    MicArraySettings? settings = null,
    TimeProvider? time = null,
    ILogger<CommandStringMicArray>? log = null) : IMicArray
{
    public const string DeviceMute = "DEVICE_AUDIO_MUTE";
    public const string ChannelMute = "AUDIO_MUTE";
    public const string Gain = "AUDIO_GAIN_HI_RES";
    public const string MeterRate = "METER_RATE";
    /// <summary>The acoustic echo canceller of a channel (MXA firmware 4 and later, P300).</summary>
    public const string Aec = "AEC";

    private readonly MicArraySettings _settings = settings ?? new MicArraySettings();
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ILogger _log = log ?? NullLogger<CommandStringMicArray>.Instance;
    private readonly SemaphoreSlim _one = new(1, 1);
    private readonly Lock _gate = new();
    private readonly Dictionary<int, double> _gains = [];
    private readonly Dictionary<int, bool> _channelMutes = [];
    private Connection? _connection;
    private MicLevels? _levels;
    private bool? _mute;
    private bool? _aec;
    private bool _twoDigitChannels = true;
    private long _late;

    /// <summary>One TCP connection with its reader, and what is still owed on it after a timeout.</summary>
    private sealed class Connection(Stream stream)
    {
        public Stream Stream { get; } = stream;
        public CancellationTokenSource Stop { get; } = new();
        public Task Reader { get; set; } = Task.CompletedTask;
        public Waiter? Waiting { get; set; }
        /// <summary>Set when a request on it timed out: what it still answers is late.</summary>
        public (int? Channel, string Parameter)? Owed { get; set; }
        public bool Retired { get; set; }
        public bool AskedAll { get; set; }
    }

    private sealed record Waiter(int? Channel, string Parameter, TaskCompletionSource<MicArrayMessage> Done);

    public string Id { get; } = id;
    public string Kind => "mic-array";

    public MicLevels? Levels { get { lock (_gate) return _levels; } }
    /// <summary>The device mute as last reported by the array (answers and unsolicited reports).</summary>
    public bool? LastKnownMute { get { lock (_gate) return _mute; } }
    public IReadOnlyDictionary<int, double> LastKnownGains { get { lock (_gate) return new Dictionary<int, double>(_gains); } }
    public IReadOnlyDictionary<int, bool> LastKnownChannelMutes { get { lock (_gate) return new Dictionary<int, bool>(_channelMutes); } }
    public long LateReplies => Interlocked.Read(ref _late);

    /// <summary>
    /// The health poll: on a new connection <c>GET 0 ALL</c> (every parameter, the device mute among them), after that
    /// <c>GET DEVICE_AUDIO_MUTE</c>.
    /// </summary>
    public async Task<DevicePollResult> PollAsync(CancellationToken ct)
    {
        var reply = await RequestAsync(connection => connection.AskedAll ? $"< GET {DeviceMute} >" : "< GET 0 ALL >", null, DeviceMute, ct,
            onSent: connection => connection.AskedAll = true).ConfigureAwait(false);
        var muted = reply.ParseOnOff();
        int channels;
        lock (_gate) channels = _gains.Count;
        bool? aec;
        lock (_gate) aec = _aec;
        return new DevicePollResult(DeviceState.Online, $"{(muted ? "muted" : "live")}, {channels} channels{(aec is { } on ? $", AEC {(on ? "on" : "off")}" : "")}",
            new DeviceReadings(Muted: muted));
    }

    public async Task<bool> GetMuteAsync(CancellationToken ct) =>
        (await RequestAsync(_ => $"< GET {DeviceMute} >", null, DeviceMute, ct).ConfigureAwait(false)).ParseOnOff();

    public async Task SetMuteAsync(bool mute, CancellationToken ct)
    {
        var word = mute ? "ON" : "OFF";
        var reply = await RequestAsync(_ => $"< SET {DeviceMute} {word} >", null, DeviceMute, ct).ConfigureAwait(false);
        if (reply.ParseOnOff() != mute) throw new DeviceException(DeviceErrorKind.Rejected, $"mic array reports mute {reply.Value} after SET {word}");
    }

    public async Task<double> GetGainAsync(int channel, CancellationToken ct)
    {
        CheckChannel(channel);
        return (await RequestAsync(_ => $"< GET {Channel(channel)} {Gain} >", channel, Gain, ct).ConfigureAwait(false)).ParseGainDb();
    }

    public async Task SetGainAsync(int channel, double gainDb, CancellationToken ct)
    {
        CheckChannel(channel);
        if (double.IsNaN(gainDb) || gainDb < -110 || gainDb > 30)
            throw new DeviceException(DeviceErrorKind.BadArgument, $"gain {gainDb} dB is outside -110..30 dB");
        var raw = ((int)Math.Round(gainDb * 10) + 1100).ToString("D4", CultureInfo.InvariantCulture);
        var reply = await RequestAsync(_ => $"< SET {Channel(channel)} {Gain} {raw} >", channel, Gain, ct).ConfigureAwait(false);
        reply.ParseGainDb();
    }

    /// <summary>Channel 1's echo canceller (<c>&lt; GET 01 AEC &gt;</c>) stands for the array's.</summary>
    public async Task<bool?> GetEchoCancellationAsync(CancellationToken ct)
    {
        try
        {
            return (await RequestAsync(_ => $"< GET {Channel(1)} {Aec} >", 1, Aec, ct).ConfigureAwait(false)).ParseOnOff();
        }
        catch (DeviceException e) when (e.Kind == DeviceErrorKind.Rejected)
        {
            return null; // REP ERR: this array has no echo canceller
        }
    }

    /// <summary><c>&lt; SET 00 AEC ON &gt;</c>: every channel; the array reports each (channel 1's report is the answer).</summary>
    public async Task<bool> SetEchoCancellationAsync(bool on, CancellationToken ct)
    {
        var word = on ? "ON" : "OFF";
        MicArrayMessage reply;
        try
        {
            reply = await RequestAsync(_ => $"< SET {Channel(0)} {Aec} {word} >", 0, Aec, ct).ConfigureAwait(false);
        }
        catch (DeviceException e) when (e.Kind == DeviceErrorKind.Rejected)
        {
            return false;
        }
        if (reply.ParseOnOff() != on) throw new DeviceException(DeviceErrorKind.Rejected, $"mic array reports AEC {reply.Value} after SET {word}");
        return true;
    }

    public bool? EchoCancellation { get { lock (_gate) return _aec; } }

    public async Task SetMeterRateAsync(int milliseconds, CancellationToken ct)
    {
        if (milliseconds != 0 && (milliseconds < 100 || milliseconds > 99_999))
            throw new DeviceException(DeviceErrorKind.BadArgument, $"meter rate {milliseconds} ms is outside 100..99999 (or 0 for off)");
        await RequestAsync(_ => $"< SET {MeterRate} {milliseconds.ToString("D5", CultureInfo.InvariantCulture)} >", null, MeterRate, ct).ConfigureAwait(false);
    }

    private string Channel(int channel)
    {
        bool two;
        lock (_gate) two = _twoDigitChannels;
        return channel.ToString(two ? "D2" : "D1", CultureInfo.InvariantCulture);
    }

    private static void CheckChannel(int channel)
    {
        if (channel is < 1 or > MicArrayMessage.MaxChannel)
            throw new DeviceException(DeviceErrorKind.BadArgument, $"channel {channel} is outside 1..{MicArrayMessage.MaxChannel}");
    }

    private async Task<MicArrayMessage> RequestAsync(Func<Connection, string> command, int? channel, string parameter, CancellationToken ct,
        Action<Connection>? onSent = null)
    {
        await _one.WaitAsync(ct).ConfigureAwait(false);
        Connection? connection = null;
        string? text = null;
        try
        {
            connection = await ConnectedAsync(ct).ConfigureAwait(false);
            text = command(connection);
            var waiter = new Waiter(channel, parameter, new TaskCompletionSource<MicArrayMessage>(TaskCreationOptions.RunContinuationsAsynchronously));
            lock (_gate) connection.Waiting = waiter;
            try
            {
                await connection.Stream.WriteAsync(Encoding.ASCII.GetBytes(text + "\r\n"), ct).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                Retire(connection, owed: null);
                throw new DeviceException(DeviceErrorKind.Unreachable, $"connection lost sending '{text}': {e.Message}", e);
            }
            onSent?.Invoke(connection);
            try
            {
                return await waiter.Done.Task.WaitAsync(_settings.ReplyTimeout, _time, ct).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // No request ids in this protocol: the answer may still come, and must not answer the next request.
                Retire(connection, owed: (channel, parameter));
                throw new DeviceException(DeviceErrorKind.Timeout, $"no answer to '{text}' within {_settings.ReplyTimeout.TotalSeconds:F1} s");
            }
        }
        finally
        {
            if (connection is not null) lock (_gate) connection.Waiting = null;
            _one.Release();
        }
    }

    private async Task<Connection> ConnectedAsync(CancellationToken ct)
    {
        if (_connection is { Retired: false } live && !live.Reader.IsCompleted) return live;
        if (_connection is { } dead) Retire(dead, owed: null);
        var connection = new Connection(await connector.ConnectAsync(ct).ConfigureAwait(false));
        connection.Reader = Task.Run(() => ReadLoopAsync(connection));
        _connection = connection;
        LogConnected(Id, connector.Endpoint);
        return connection;
    }

    /// <summary>
    /// Takes a connection out of use. With something owed, its reader stays on for <see cref="MicArraySettings.LateReplyWindow"/>
    /// to count the late answer; without, it is closed at once.
    /// </summary>
    private void Retire(Connection connection, (int? Channel, string Parameter)? owed)
    {
        lock (_gate)
        {
            if (connection.Retired) return;
            connection.Retired = true;
            connection.Owed = owed;
            connection.Waiting = null;
        }
        if (ReferenceEquals(_connection, connection)) _connection = null;
        if (owed is null) Close(connection);
        else _ = Task.Delay(_settings.LateReplyWindow, _time).ContinueWith(_ => Close(connection), TaskScheduler.Default);
    }

    private static void Close(Connection connection)
    {
        try { connection.Stop.Cancel(); } catch (ObjectDisposedException) { }
        connection.Stream.Dispose();
    }

    private async Task ReadLoopAsync(Connection connection)
    {
        var reader = new LineReader(connection.Stream, (byte)'>', 512);
        DeviceException? failure = null;
        try
        {
            while (!connection.Stop.IsCancellationRequested)
            {
                var frame = await reader.ReadLineAsync(connection.Stop.Token).ConfigureAwait(false);
                if (frame is null)
                {
                    failure = new DeviceException(DeviceErrorKind.Unreachable, "mic array closed the connection");
                    break;
                }
                if (frame.Trim().Length == 0) continue;
                Apply(connection, MicArrayMessage.Parse(frame));
            }
        }
        catch (DeviceException e)
        {
            failure = e;
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or IOException)
        {
        }
        failure ??= new DeviceException(DeviceErrorKind.Unreachable, "mic array connection closed");
        LogLost(Id, failure.Message);
        Waiter? waiting;
        lock (_gate) waiting = connection.Waiting;
        waiting?.Done.TrySetException(failure);
    }

    private void Apply(Connection connection, MicArrayMessage message)
    {
        Waiter? answered = null;
        lock (_gate)
        {
            if (connection.Retired)
            {
                // A retired connection only tells us what came too late; its values are stale and change nothing.
                if (connection.Owed is { } owed && message.Kind == MicArrayMessageKind.Report && message.Parameter == owed.Parameter && message.Channel == owed.Channel
                    || connection.Owed is not null && message.Kind == MicArrayMessageKind.Error)
                {
                    connection.Owed = null;
                    Interlocked.Increment(ref _late);
                    LogLate(Id, message.Parameter);
                }
                return;
            }
            switch (message.Kind)
            {
                case MicArrayMessageKind.Sample:
                    _levels = new MicLevels(_time.GetUtcNow(), message.Samples.Select(s => s - 60.0).ToArray());
                    return;
                case MicArrayMessageKind.Error:
                    // Errors are not tagged with the request: they answer the one waiting.
                    connection.Waiting?.Done.TrySetException(new DeviceException(DeviceErrorKind.Rejected, "mic array answered REP ERR"));
                    return;
            }
            if (message.ChannelText is { Length: 1 } && message.Channel is > 0 and < 10) _twoDigitChannels = false;
            else if (message.ChannelText is { Length: 2 }) _twoDigitChannels = true;
            switch (message.Parameter)
            {
                case DeviceMute when message.Channel is null && message.Value is "ON" or "OFF":
                    _mute = message.Value == "ON";
                    break;
                case ChannelMute when message.Channel is > 0 && message.Value is "ON" or "OFF":
                    _channelMutes[message.Channel.Value] = message.Value == "ON";
                    break;
                case Aec when message.Channel is 1 && message.Value is "ON" or "OFF":
                    _aec = message.Value == "ON";
                    break;
                case Gain when message.Channel is > 0:
                    try { _gains[message.Channel.Value] = message.ParseGainDb(); } catch (DeviceProtocolException) { }
                    break;
            }
            // Channel 0 (every channel) is answered by the report of channel 1.
            if (connection.Waiting is { } w && w.Parameter == message.Parameter && (w.Channel == message.Channel || w.Channel == 0 && message.Channel == 1)) answered = w;
        }
        answered?.Done.TrySetResult(message);
    }

    public async Task ReconnectAsync(CancellationToken cancellationToken)
    {
        await _one.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_connection is { } connection) Retire(connection, owed: null);
        }
        finally
        {
            _one.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        var connection = _connection;
        _connection = null;
        if (connection is not null)
        {
            Close(connection);
            await connection.Reader.ConfigureAwait(false);
        }
        _one.Dispose();
    }

    [LoggerMessage(EventId = 2201, Level = LogLevel.Debug, Message = "Mic array {Id}: connected to {Endpoint}")]
    private partial void LogConnected(string id, string endpoint);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Debug, Message = "Mic array {Id}: connection ended: {Reason}")]
    private partial void LogLost(string id, string reason);

    [LoggerMessage(EventId = 2203, Level = LogLevel.Debug, Message = "Mic array {Id}: a late {Parameter} answer to a timed-out request was discarded")]
    private partial void LogLate(string id, string parameter);
}
