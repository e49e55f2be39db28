using EdgeAgent.Hardware.Health;
using EdgeAgent.Hardware.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Hardware.Cameras;

/// <summary>Optional timing of the VISCA over IP driver.</summary>
public sealed record ViscaIpCameraSettings
{
    /// <summary>How long to wait for the ACK (or an inquiry's reply) before resending.</summary>
    public TimeSpan ReplyTimeout { get; init; } = TimeSpan.FromMilliseconds(500);
    /// <summary>How long a movement may take between ACK and completion (a preset recall across the room).</summary>
    public TimeSpan CompletionTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Resends of the same sequence number after a timeout.</summary>
    public int Resends { get; init; } = 2;
    /// <summary>Retries after "command buffer full", with <see cref="BusyBackoff"/> between them.</summary>
    public int BusyRetries { get; init; } = 5;
    public TimeSpan BusyBackoff { get; init; } = TimeSpan.FromMilliseconds(50);
    /// <summary>After this many commands in a row time out, the sequence number is reset before the next one.</summary>
    public int ResetAfterTimeouts { get; init; } = 2;
}

/// <summary>
/// A PTZ camera over VISCA over IP (Sony's framing, UDP 52381). One request at a time: the sequence number is
/// reset at the first use and after repeated timeouts; a request that times out is resent with the same
/// sequence number; replies for other sequence numbers (late answers to earlier requests) are skipped.
/// The driver owns <paramref name="transport"/> and disposes it.
/// </summary>
public sealed partial class ViscaIpCamera(
    string id,
    IDatagramTransport transport,
    ViscaIpCameraSettings? settings = null,
    TimeProvider? time = null,
    ILogger<ViscaIpCamera>? log = null) : IPtzCamera
{
    private readonly ViscaIpCameraSettings _settings = settings ?? new ViscaIpCameraSettings();
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ILogger _log = log ?? NullLogger<ViscaIpCamera>.Instance;
    private readonly SemaphoreSlim _one = new(1, 1);
    private readonly byte[] _buffer = new byte[1500];
    private uint _sequence;
    private bool _sessionReady;
    private int _consecutiveTimeouts;
    private long _late;

    /// <summary>Replies to earlier messages (by sequence number) that arrived while a later one waited: discarded.</summary>
    public long LateReplies => Interlocked.Read(ref _late);

    public string Id { get; } = id;
    public string Kind => "camera";

    public async Task<DevicePollResult> PollAsync(CancellationToken cancellationToken)
    {
        var power = await GetPowerAsync(cancellationToken).ConfigureAwait(false);
        return new DevicePollResult(DeviceState.Online, power == CameraPower.On ? "power on" : "power standby", new DeviceReadings(PowerOn: power == CameraPower.On));
    }

    public Task SetPowerAsync(bool on, CancellationToken ct) => CommandAsync([0x81, 0x01, 0x04, 0x00, (byte)(on ? 0x02 : 0x03), 0xFF], ct);

    public async Task<CameraPower> GetPowerAsync(CancellationToken ct)
    {
        var data = await InquiryAsync([0x81, 0x09, 0x04, 0x00, 0xFF], ct).ConfigureAwait(false);
        return data switch
        {
            [0x02] => CameraPower.On,
            [0x03] or [0x04] => CameraPower.Standby,
            _ => throw new DeviceProtocolException($"power inquiry answered {Hex(data)}, expected 02 or 03"),
        };
    }

    public Task DriveAsync(PanTiltDirection direction, int panSpeed, int tiltSpeed, CancellationToken ct)
    {
        CheckRange(nameof(panSpeed), panSpeed, 1, 0x18);
        CheckRange(nameof(tiltSpeed), tiltSpeed, 1, 0x17);
        var (p, t) = direction switch
        {
            PanTiltDirection.Up => (0x03, 0x01),
            PanTiltDirection.Down => (0x03, 0x02),
            PanTiltDirection.Left => (0x01, 0x03),
            PanTiltDirection.Right => (0x02, 0x03),
            PanTiltDirection.UpLeft => (0x01, 0x01),
            PanTiltDirection.UpRight => (0x02, 0x01),
            PanTiltDirection.DownLeft => (0x01, 0x02),
            PanTiltDirection.DownRight => (0x02, 0x02),
            _ => throw new DeviceException(DeviceErrorKind.BadArgument, $"unknown direction {direction}"),
        };
        return CommandAsync([0x81, 0x01, 0x06, 0x01, (byte)panSpeed, (byte)tiltSpeed, (byte)p, (byte)t, 0xFF], ct);
    }

    public Task StopAsync(CancellationToken ct) => CommandAsync([0x81, 0x01, 0x06, 0x01, 0x01, 0x01, 0x03, 0x03, 0xFF], ct);

    public Task MoveToAsync(PanTiltPosition position, int panSpeed, int tiltSpeed, CancellationToken ct)
    {
        CheckRange(nameof(panSpeed), panSpeed, 1, 0x18);
        CheckRange(nameof(tiltSpeed), tiltSpeed, 1, 0x17);
        var message = new byte[15];
        message[0] = 0x81; message[1] = 0x01; message[2] = 0x06; message[3] = 0x02;
        message[4] = (byte)panSpeed; message[5] = (byte)tiltSpeed;
        ViscaReply.WriteNibbles(message.AsSpan(6, 4), (ushort)position.Pan, 4);
        ViscaReply.WriteNibbles(message.AsSpan(10, 4), (ushort)position.Tilt, 4);
        message[14] = 0xFF;
        return CommandAsync(message, ct);
    }

    public Task HomeAsync(CancellationToken ct) => CommandAsync([0x81, 0x01, 0x06, 0x04, 0xFF], ct);

    public Task ZoomToAsync(int zoom, CancellationToken ct)
    {
        CheckRange(nameof(zoom), zoom, 0, 0x4000);
        var message = new byte[9];
        message[0] = 0x81; message[1] = 0x01; message[2] = 0x04; message[3] = 0x47;
        ViscaReply.WriteNibbles(message.AsSpan(4, 4), zoom, 4);
        message[8] = 0xFF;
        return CommandAsync(message, ct);
    }

    public Task SetPresetAsync(int preset, CancellationToken ct)
    {
        CheckRange(nameof(preset), preset, 0, 127);
        return CommandAsync([0x81, 0x01, 0x04, 0x3F, 0x01, (byte)preset, 0xFF], ct);
    }

    public Task RecallPresetAsync(int preset, CancellationToken ct)
    {
        CheckRange(nameof(preset), preset, 0, 127);
        return CommandAsync([0x81, 0x01, 0x04, 0x3F, 0x02, (byte)preset, 0xFF], ct);
    }

    public async Task<PanTiltPosition> GetPositionAsync(CancellationToken ct)
    {
        var data = await InquiryAsync([0x81, 0x09, 0x06, 0x12, 0xFF], ct).ConfigureAwait(false);
        if (data.Length != 8) throw new DeviceProtocolException($"pan-tilt inquiry answered {data.Length} data bytes, expected 8");
        return new PanTiltPosition((short)ViscaReply.Nibbles(data, 0, 4), (short)ViscaReply.Nibbles(data, 4, 4));
    }

    public async Task<int> GetZoomAsync(CancellationToken ct)
    {
        var data = await InquiryAsync([0x81, 0x09, 0x04, 0x47, 0xFF], ct).ConfigureAwait(false);
        if (data.Length != 4) throw new DeviceProtocolException($"zoom inquiry answered {data.Length} data bytes, expected 4");
        return ViscaReply.Nibbles(data, 0, 4);
    }

    /// <summary>Sends a command and waits for ACK and completion.</summary>
    private Task CommandAsync(byte[] message, CancellationToken ct) => ExchangeAsync(ViscaPayloadType.Command, message, ct);

    /// <summary>Sends an inquiry and returns the data bytes of its completion reply.</summary>
    private Task<byte[]> InquiryAsync(byte[] message, CancellationToken ct) => ExchangeAsync(ViscaPayloadType.Inquiry, message, ct);

    private async Task<byte[]> ExchangeAsync(ushort type, byte[] message, CancellationToken ct)
    {
        await _one.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (!_sessionReady || _consecutiveTimeouts >= _settings.ResetAfterTimeouts)
                await ResetSequenceAsync(ct).ConfigureAwait(false);
            var busy = 0;
            while (true)
            {
                var sequence = ++_sequence;
                try
                {
                    var data = await SendWithResendAsync(type, sequence, message, ct).ConfigureAwait(false);
                    _consecutiveTimeouts = 0;
                    return data;
                }
                catch (ViscaException e) when (e.Error == ViscaError.CommandBufferFull && busy++ < _settings.BusyRetries)
                {
                    LogBusy(Id, busy);
                    await Task.Delay(_settings.BusyBackoff, _time, ct).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            _one.Release();
        }
    }

    private async Task<byte[]> SendWithResendAsync(ushort type, uint sequence, byte[] message, CancellationToken ct)
    {
        var packet = new ViscaIpPacket(type, sequence, message).Encode();
        for (var attempt = 0; ; attempt++)
        {
            await transport.SendAsync(packet, ct).ConfigureAwait(false);
            var first = await ReceiveAsync(sequence, ViscaPayloadType.Reply, _settings.ReplyTimeout, ct).ConfigureAwait(false);
            if (first is null)
            {
                if (attempt < _settings.Resends)
                {
                    LogResend(Id, sequence, attempt + 1);
                    continue;
                }
                _consecutiveTimeouts++;
                throw new DeviceException(DeviceErrorKind.Timeout, $"camera did not answer VISCA message {sequence} after {attempt + 1} tries");
            }
            var reply = ViscaReply.Parse(first.Value.Payload);
            switch (reply.Kind)
            {
                case ViscaReplyKind.Error:
                    throw new ViscaException(reply.Error!.Value);
                case ViscaReplyKind.Completion:
                    return reply.Data; // inquiries answer at once; some cameras skip the ACK for quick commands
                case ViscaReplyKind.Ack when type == ViscaPayloadType.Inquiry:
                    throw new DeviceProtocolException("camera sent an ACK to an inquiry");
            }
            var done = await ReceiveAsync(sequence, ViscaPayloadType.Reply, _settings.CompletionTimeout, ct).ConfigureAwait(false)
                       ?? throw new DeviceException(DeviceErrorKind.Timeout, $"camera acknowledged VISCA message {sequence} but did not complete it within {_settings.CompletionTimeout.TotalSeconds:F0} s");
            var completion = ViscaReply.Parse(done.Payload);
            return completion.Kind switch
            {
                ViscaReplyKind.Completion => completion.Data,
                ViscaReplyKind.Error => throw new ViscaException(completion.Error!.Value),
                _ => throw new DeviceProtocolException("camera sent a second ACK instead of a completion"),
            };
        }
    }

    /// <summary>RESET control command: the camera forgets the last sequence number; ours restarts at 1.</summary>
    private async Task ResetSequenceAsync(CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            await transport.SendAsync(new ViscaIpPacket(ViscaPayloadType.ControlCommand, 0, [0x01]).Encode(), ct).ConfigureAwait(false);
            var reply = await ReceiveAsync(0, ViscaPayloadType.ControlReply, _settings.ReplyTimeout, ct).ConfigureAwait(false);
            if (reply is { } r)
            {
                if (r.Payload is not [0x01])
                    throw new DeviceProtocolException($"sequence reset answered {Hex(r.Payload)}, expected 01");
                _sequence = 0;
                _sessionReady = true;
                _consecutiveTimeouts = 0;
                LogReset(Id);
                return;
            }
            if (attempt >= _settings.Resends)
            {
                _sessionReady = false;
                throw new DeviceException(DeviceErrorKind.Timeout, "camera did not answer the VISCA sequence reset");
            }
        }
    }

    /// <summary>Waits for a reply of <paramref name="type"/> with <paramref name="sequence"/>; null on timeout.</summary>
    private async Task<ViscaIpPacket?> ReceiveAsync(uint sequence, ushort type, TimeSpan timeout, CancellationToken ct)
    {
        using var deadline = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
        while (true)
        {
            int n;
            try
            {
                n = await transport.ReceiveAsync(_buffer, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                return null;
            }
            var packet = ViscaIpPacket.Decode(_buffer.AsSpan(0, n));
            if (packet.PayloadType == ViscaPayloadType.ControlReply && packet.Payload is [0x0F, var code])
            {
                // 0F 01: sequence number abnormal; 0F 02: message type abnormal. Start a fresh session next time.
                _sessionReady = false;
                throw new DeviceProtocolException(code == 0x01 ? "camera rejected the sequence number" : "camera rejected the message type");
            }
            if (packet.Sequence != sequence || packet.PayloadType != type)
            {
                // A late answer to an earlier message (its sequence number says so): never this request's answer.
                Interlocked.Increment(ref _late);
                LogStale(Id, packet.Sequence, sequence);
                continue;
            }
            return packet;
        }
    }

    private static void CheckRange(string name, int value, int min, int max)
    {
        if (value < min || value > max)
            throw new DeviceException(DeviceErrorKind.BadArgument, $"{name} {value} is outside {min}..{max}");
    }

    private static string Hex(byte[] data) => data.Length == 0 ? "(nothing)" : Convert.ToHexString(data);

    public async ValueTask DisposeAsync()
    {
        await transport.DisposeAsync().ConfigureAwait(false);
        _one.Dispose();
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Debug, Message = "Camera {Id}: VISCA sequence reset")]
    private partial void LogReset(string id);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Debug, Message = "Camera {Id}: no reply to message {Sequence}, resend {Attempt}")]
    private partial void LogResend(string id, uint sequence, int attempt);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Debug, Message = "Camera {Id}: command buffer full, retry {Attempt}")]
    private partial void LogBusy(string id, int attempt);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Debug, Message = "Camera {Id}: skipped a reply for message {Got} while waiting for {Want}")]
    private partial void LogStale(string id, uint got, uint want);
}
