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
}

/// <summary>
/// A microphone array over its TCP command strings (default port 2202). Keeps one connection with a reader
/// that applies every REP (answers and unsolicited change reports alike) and SAMPLE line to its cached state;
/// a request waits for the REP that answers it. A lost connection fails the waiting requests and is reopened
/// by the next one.
/// </summary>
public sealed partial class CommandStringMicArray(
    string id,
    IStreamConnector connector,
    MicArraySettings? settings = null,
    TimeProvider? time = null,
    ILogger<CommandStringMicArray>? log = null) : IMicArray
{
    private readonly MicArraySettings _settings = settings ?? new MicArraySettings();
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ILogger _log = log ?? NullLogger<CommandStringMicArray>.Instance;
    private readonly SemaphoreSlim _one = new(1, 1);
    private readonly Lock _gate = new();
    private readonly List<Waiter> _waiters = [];
    private readonly Dictionary<int, double> _gains = [];
    private Stream? _stream;
    private CancellationTokenSource? _readerStop;
    private Task? _reader;
    private MicLevels? _levels;
    private bool? _mute;

    private sealed record Waiter(Func<MicArrayMessage, bool> Matches, TaskCompletionSource<MicArrayMessage> Done);

    public string Id { get; } = id;
    public string Kind => "mic-array";

    public MicLevels? Levels { get { lock (_gate) return _levels; } }
    /// <summary>Mute as last reported by the array (answers and unsolicited reports).</summary>
    public bool? LastKnownMute { get { lock (_gate) return _mute; } }
    public IReadOnlyDictionary<int, double> LastKnownGains { get { lock (_gate) return new Dictionary<int, double>(_gains); } }

    public async Task<DevicePollResult> PollAsync(CancellationToken ct)
    {
        var reply = await RequestAsync("< GET 0 ALL >", m => IsReport(m, 0, "AUDIO_MUTE"), ct).ConfigureAwait(false);
        var muted = reply.ParseOnOff();
        int channels;
        lock (_gate) channels = _gains.Count;
        return new DevicePollResult(DeviceState.Online, $"{(muted ? "muted" : "live")}, {channels} channels");
    }

    public async Task<bool> GetMuteAsync(CancellationToken ct) =>
        (await RequestAsync("< GET 0 AUDIO_MUTE >", m => IsReport(m, 0, "AUDIO_MUTE"), ct).ConfigureAwait(false)).ParseOnOff();

    public async Task SetMuteAsync(bool mute, CancellationToken ct)
    {
        var reply = await RequestAsync($"< SET 0 AUDIO_MUTE {(mute ? "ON" : "OFF")} >", m => IsReport(m, 0, "AUDIO_MUTE"), ct).ConfigureAwait(false);
        if (reply.ParseOnOff() != mute) throw new DeviceException(DeviceErrorKind.Rejected, $"mic array reports mute {reply.Value} after SET {(mute ? "ON" : "OFF")}");
    }

    public async Task<double> GetGainAsync(int channel, CancellationToken ct)
    {
        CheckChannel(channel);
        return (await RequestAsync($"< GET {channel} AUDIO_GAIN_HI_RES >", m => IsReport(m, channel, "AUDIO_GAIN_HI_RES"), ct).ConfigureAwait(false)).ParseGainDb();
    }

    public async Task SetGainAsync(int channel, double gainDb, CancellationToken ct)
    {
        CheckChannel(channel);
        if (double.IsNaN(gainDb) || gainDb < -110 || gainDb > 30)
            throw new DeviceException(DeviceErrorKind.BadArgument, $"gain {gainDb} dB is outside -110..30 dB");
        var raw = (int)Math.Round(gainDb * 10) + 1100;
        var reply = await RequestAsync($"< SET {channel} AUDIO_GAIN_HI_RES {raw.ToString("D4", CultureInfo.InvariantCulture)} >",
            m => IsReport(m, channel, "AUDIO_GAIN_HI_RES"), ct).ConfigureAwait(false);
        reply.ParseGainDb();
    }

    public async Task SetMeterRateAsync(int milliseconds, CancellationToken ct)
    {
        if (milliseconds != 0 && (milliseconds < 100 || milliseconds > 99_999))
            throw new DeviceException(DeviceErrorKind.BadArgument, $"meter rate {milliseconds} ms is outside 100..99999 (or 0 for off)");
        await RequestAsync($"< SET METER_RATE {milliseconds} >", m => IsReport(m, null, "METER_RATE"), ct).ConfigureAwait(false);
    }

    private static bool IsReport(MicArrayMessage m, int? channel, string parameter) =>
        m.Kind == MicArrayMessageKind.Report && m.Channel == channel && m.Parameter == parameter;

    private static void CheckChannel(int channel)
    {
        if (channel is < 1 or > MicArrayMessage.MaxChannel)
            throw new DeviceException(DeviceErrorKind.BadArgument, $"channel {channel} is outside 1..{MicArrayMessage.MaxChannel}");
    }

    private async Task<MicArrayMessage> RequestAsync(string command, Func<MicArrayMessage, bool> matches, CancellationToken ct)
    {
        await _one.WaitAsync(ct).ConfigureAwait(false);
        Waiter? waiter = null;
        try
        {
            var stream = await ConnectedAsync(ct).ConfigureAwait(false);
            waiter = new Waiter(matches, new TaskCompletionSource<MicArrayMessage>(TaskCreationOptions.RunContinuationsAsynchronously));
            lock (_gate) _waiters.Add(waiter);
            try
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes(command + "\r\n"), ct).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                Disconnect();
                throw new DeviceException(DeviceErrorKind.Unreachable, $"connection lost sending '{command}': {e.Message}", e);
            }
            try
            {
                return await waiter.Done.Task.WaitAsync(_settings.ReplyTimeout, _time, ct).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                throw new DeviceException(DeviceErrorKind.Timeout, $"no answer to '{command}' within {_settings.ReplyTimeout.TotalSeconds:F1} s");
            }
        }
        finally
        {
            if (waiter is not null) lock (_gate) _waiters.Remove(waiter);
            _one.Release();
        }
    }

    private async Task<Stream> ConnectedAsync(CancellationToken ct)
    {
        if (_stream is not null && _reader is { IsCompleted: false }) return _stream;
        Disconnect();
        var stream = await connector.ConnectAsync(ct).ConfigureAwait(false);
        _stream = stream;
        _readerStop = new CancellationTokenSource();
        _reader = Task.Run(() => ReadLoopAsync(stream, _readerStop.Token));
        LogConnected(Id, connector.Endpoint);
        return stream;
    }

    private async Task ReadLoopAsync(Stream stream, CancellationToken ct)
    {
        var reader = new LineReader(stream, (byte)'>', 512);
        DeviceException? failure = null;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var frame = await reader.ReadLineAsync(ct).ConfigureAwait(false);
                if (frame is null)
                {
                    failure = new DeviceException(DeviceErrorKind.Unreachable, "mic array closed the connection");
                    break;
                }
                if (frame.Trim().Length == 0) continue;
                Apply(MicArrayMessage.Parse(frame));
            }
        }
        catch (DeviceException e)
        {
            failure = e;
        }
        catch (OperationCanceledException) { }
        catch (ObjectDisposedException) { }
        failure ??= new DeviceException(DeviceErrorKind.Unreachable, "mic array connection closed");
        LogLost(Id, failure.Message);
        List<Waiter> pending;
        lock (_gate) pending = _waiters.ToList();
        foreach (var w in pending) w.Done.TrySetException(failure);
    }

    private void Apply(MicArrayMessage message)
    {
        Waiter? answered = null;
        lock (_gate)
        {
            switch (message.Kind)
            {
                case MicArrayMessageKind.Sample:
                    _levels = new MicLevels(_time.GetUtcNow(), message.Samples.Select(s => s - 60.0).ToArray());
                    return;
                case MicArrayMessageKind.Error:
                    // Errors are not tagged with the request: they answer the oldest one waiting.
                    answered = _waiters.FirstOrDefault();
                    answered?.Done.TrySetException(new DeviceException(DeviceErrorKind.Rejected, "mic array answered REP ERR"));
                    return;
            }
            if (message.Channel == 0 && message.Parameter == "AUDIO_MUTE" && message.Value is "ON" or "OFF") _mute = message.Value == "ON";
            if (message.Channel is > 0 && message.Parameter == "AUDIO_GAIN_HI_RES")
            {
                try { _gains[message.Channel.Value] = message.ParseGainDb(); } catch (DeviceProtocolException) { }
            }
            answered = _waiters.FirstOrDefault(w => w.Matches(message));
        }
        answered?.Done.TrySetResult(message);
    }

    private void Disconnect()
    {
        _readerStop?.Cancel();
        _stream?.Dispose();
        _stream = null;
        _reader = null;
        _readerStop?.Dispose();
        _readerStop = null;
    }

    public async ValueTask DisposeAsync()
    {
        var reader = _reader;
        Disconnect();
        if (reader is not null) await reader.ConfigureAwait(false);
        _one.Dispose();
    }

    [LoggerMessage(EventId = 2201, Level = LogLevel.Debug, Message = "Mic array {Id}: connected to {Endpoint}")]
    private partial void LogConnected(string id, string endpoint);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Debug, Message = "Mic array {Id}: connection ended: {Reason}")]
    private partial void LogLost(string id, string reason);
}
