using System.Security.Cryptography;
using System.Text;
using EdgeAgent.Hardware.Health;
using EdgeAgent.Hardware.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Hardware.Displays;

public sealed record PjLinkDisplaySettings
{
    /// <summary>Greeting and each reply must arrive within this.</summary>
    public TimeSpan ReplyTimeout { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>How long a command refused with ERR3 (warming up / cooling down) keeps being retried.</summary>
    public TimeSpan WarmupPatience { get; init; } = TimeSpan.FromSeconds(90);
    public TimeSpan WarmupRetryInterval { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// A display or projector over PJLink class 1 and 2 (TCP 4352). Each operation opens a connection (displays
/// drop idle ones after 30 s), reads the greeting, authenticates the first command with MD5(random + password)
/// when asked to, and closes. Commands refused during warm-up or cool-down (ERR3) are retried, not failed.
/// </summary>
public sealed partial class PjLinkDisplay(
    string id,
    IStreamConnector connector,
    string? password,
    PjLinkDisplaySettings? settings = null,
    TimeProvider? time = null,
    ILogger<PjLinkDisplay>? log = null) : IDisplay
{
    private readonly PjLinkDisplaySettings _settings = settings ?? new PjLinkDisplaySettings();
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ILogger _log = log ?? NullLogger<PjLinkDisplay>.Instance;
    private readonly SemaphoreSlim _one = new(1, 1);
    private readonly string? _password = password;

    public string Id { get; } = id;
    public string Kind => "display";

    public async Task<DevicePollResult> PollAsync(CancellationToken ct)
    {
        var (power, errors, input, avMuted) = await SessionAsync(async s =>
        {
            var p = PjLinkReply.ParsePower(await s.AskAsync(1, "POWR", "?", ct).ConfigureAwait(false));
            var e = PjLinkReply.ParseErrorStatus(await s.AskAsync(1, "ERST", "?", ct).ConfigureAwait(false));
            // Input and picture mute only mean something while the display is on (PJLink answers ERR3 otherwise).
            if (p != DisplayPower.On) return (p, e, (string?)null, (bool?)null);
            var i = PjLinkReply.ParseInput(await s.AskAsync(1, "INPT", "?", ct).ConfigureAwait(false));
            var m = PjLinkReply.ParseAvMute(await s.AskAsync(1, "AVMT", "?", ct).ConfigureAwait(false));
            return (p, e, i, m);
        }, ct).ConfigureAwait(false);
        var state = errors.Worst switch
        {
            ErrorLevel.Error => DeviceState.Faulty,
            ErrorLevel.Warning => DeviceState.Degraded,
            _ => DeviceState.Online,
        };
        return new DevicePollResult(state, $"power {power.ToString().ToLowerInvariant()}; {errors.Summary}",
            new DeviceReadings(PowerOn: power is DisplayPower.On or DisplayPower.Warming, Input: input, AvMuted: avMuted));
    }

    public Task SetPowerAsync(bool on, CancellationToken ct) => SetAsync(1, "POWR", on ? "1" : "0", ct);

    public async Task<DisplayPower> GetPowerAsync(CancellationToken ct) =>
        PjLinkReply.ParsePower(await QueryAsync(1, "POWR", ct).ConfigureAwait(false));

    public Task SetInputAsync(string input, CancellationToken ct)
    {
        if (!PjLinkReply.IsInput(input)) throw new DeviceException(DeviceErrorKind.BadArgument, $"'{input}' is not a PJLink input such as 31");
        // Inputs beyond class 1's digits 1..9 need class 2.
        return SetAsync(input[1] > '9' ? 2 : 1, "INPT", input, ct);
    }

    public async Task<string> GetInputAsync(CancellationToken ct) =>
        PjLinkReply.ParseInput(await QueryAsync(1, "INPT", ct).ConfigureAwait(false));

    public async Task<IReadOnlyList<string>> ListInputsAsync(CancellationToken ct) =>
        PjLinkReply.ParseInputs(await QueryAsync(1, "INST", ct).ConfigureAwait(false));

    public Task SetAvMuteAsync(bool mute, CancellationToken ct) => SetAsync(1, "AVMT", mute ? "31" : "30", ct);

    public async Task<bool> GetAvMuteAsync(CancellationToken ct) =>
        PjLinkReply.ParseAvMute(await QueryAsync(1, "AVMT", ct).ConfigureAwait(false));

    public async Task<DisplayErrorStatus> GetErrorStatusAsync(CancellationToken ct) =>
        PjLinkReply.ParseErrorStatus(await QueryAsync(1, "ERST", ct).ConfigureAwait(false));

    public async Task<IReadOnlyList<LampStatus>> GetLampsAsync(CancellationToken ct) =>
        PjLinkReply.ParseLamps(await QueryAsync(1, "LAMP", ct).ConfigureAwait(false));

    public Task<DisplayInfo> GetInfoAsync(CancellationToken ct) => SessionAsync(async s =>
    {
        var cls = PjLinkReply.ParseClass(await s.AskAsync(1, "CLSS", "?", ct).ConfigureAwait(false));
        var name = await s.AskAsync(1, "NAME", "?", ct).ConfigureAwait(false);
        var manufacturer = await s.AskAsync(1, "INF1", "?", ct).ConfigureAwait(false);
        var product = await s.AskAsync(1, "INF2", "?", ct).ConfigureAwait(false);
        var other = await s.AskAsync(1, "INFO", "?", ct).ConfigureAwait(false);
        string? serial = null, version = null;
        if (cls >= 2)
        {
            serial = await s.AskAsync(2, "SNUM", "?", ct).ConfigureAwait(false);
            version = await s.AskAsync(2, "SVER", "?", ct).ConfigureAwait(false);
        }
        return new DisplayInfo(name, manufacturer, product, other, cls, serial, version);
    }, ct);

    private Task<string> QueryAsync(int cls, string command, CancellationToken ct) =>
        SessionAsync(s => s.AskAsync(cls, command, "?", ct), ct);

    /// <summary>A set command that must answer OK; ERR3 (not now) is retried until the display is ready.</summary>
    private async Task SetAsync(int cls, string command, string parameter, CancellationToken ct)
    {
        var giveUp = _time.GetUtcNow() + _settings.WarmupPatience;
        while (true)
        {
            try
            {
                var value = await SessionAsync(s => s.AskAsync(cls, command, parameter, ct), ct).ConfigureAwait(false);
                if (value != "OK") throw new DeviceProtocolException($"PJLink {command} {parameter} answered '{value}', expected OK");
                return;
            }
            catch (PjLinkException e) when (e.Error == PjLinkError.UnavailableTime && _time.GetUtcNow() < giveUp)
            {
                LogNotReady(Id, command, parameter);
                await Task.Delay(_settings.WarmupRetryInterval, _time, ct).ConfigureAwait(false);
            }
        }
    }

    private async Task<T> SessionAsync<T>(Func<Session, Task<T>> work, CancellationToken ct)
    {
        await _one.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await using var stream = await connector.ConnectAsync(ct).ConfigureAwait(false);
            var session = new Session(this, stream);
            await session.GreetAsync(ct).ConfigureAwait(false);
            return await work(session).ConfigureAwait(false);
        }
        finally
        {
            _one.Release();
        }
    }

    /// <summary>One connection: greeting, then commands; the first command carries the digest when required.</summary>
    private sealed class Session(PjLinkDisplay display, Stream stream)
    {
        private readonly LineReader _reader = new(stream, (byte)'\r', PjLinkReply.MaxLine + 32);
        private string? _digest;

        public async Task GreetAsync(CancellationToken ct)
        {
            var greeting = await display.ReadAsync("greeting", _reader, ct).ConfigureAwait(false);
            var random = PjLinkReply.ParseGreeting(greeting);
            if (random is null) return;
            if (display._password is null)
                throw new DeviceException(DeviceErrorKind.Authentication, "display asks for a PJLink password and none is configured");
            _digest = Convert.ToHexStringLower(MD5.HashData(Encoding.ASCII.GetBytes(random + display._password)));
        }

        public async Task<string> AskAsync(int cls, string command, string parameter, CancellationToken ct)
        {
            var request = $"{_digest}%{cls}{command} {parameter}\r";
            _digest = null;
            try
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes(request), ct).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                throw new DeviceException(DeviceErrorKind.Unreachable, $"connection lost sending {command}: {e.Message}", e);
            }
            return PjLinkReply.ParseResponse(await display.ReadAsync(command, _reader, ct).ConfigureAwait(false), cls, command);
        }
    }

    private async Task<string> ReadAsync(string what, LineReader reader, CancellationToken ct)
    {
        using var deadline = new CancellationTokenSource(_settings.ReplyTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
        try
        {
            return await reader.ReadLineAsync(linked.Token).ConfigureAwait(false)
                   ?? throw new DeviceException(DeviceErrorKind.Unreachable, $"display closed the connection before its {what}");
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            throw new DeviceException(DeviceErrorKind.Timeout, $"no PJLink {what} within {_settings.ReplyTimeout.TotalSeconds:F1} s");
        }
    }

    public ValueTask DisposeAsync()
    {
        _one.Dispose();
        return ValueTask.CompletedTask;
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Debug, Message = "Display {Id}: {Command} {Parameter} refused while warming or cooling; retrying")]
    private partial void LogNotReady(string id, string command, string parameter);
}
