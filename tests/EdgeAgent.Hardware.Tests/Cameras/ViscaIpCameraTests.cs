using EdgeAgent.Hardware.Cameras;
using EdgeAgent.Hardware.Health;
using EdgeAgent.Hardware.Transport;
using EdgeAgent.Simulators.Common;
using EdgeAgent.Simulators.Visca;

namespace EdgeAgent.Hardware.Tests.Cameras;

public sealed class ViscaIpCameraTests : IAsyncLifetime
{
    private readonly ViscaCameraSimulator _sim = new();
    private ViscaIpCamera _camera = null!;
    private static readonly CancellationToken Ct = CancellationToken.None;

    public Task InitializeAsync()
    {
        // A generous reply timeout so that a loaded CI machine never causes a resend the test did not ask for.
        _camera = Camera(TimeSpan.FromSeconds(2));
        return Task.CompletedTask;
    }

    private ViscaIpCamera Camera(TimeSpan replyTimeout) =>
        new("cam1", new UdpDatagramTransport("127.0.0.1", _sim.Port), new ViscaIpCameraSettings
        {
            ReplyTimeout = replyTimeout,
            CompletionTimeout = TimeSpan.FromSeconds(5),
        });

    public async Task DisposeAsync()
    {
        await _camera.DisposeAsync();
        await _sim.DisposeAsync();
    }

    private (ushort Type, uint Sequence, byte[] Payload) Last => _sim.Received[^1];

    [Fact]
    public async Task First_use_resets_the_sequence_then_numbers_from_one()
    {
        await _camera.GetPowerAsync(Ct);
        await _camera.HomeAsync(Ct);
        var received = _sim.Received;
        Assert.Equal((ushort)0x0200, received[0].Type);
        Assert.Equal([0x01], received[0].Payload);
        Assert.Equal((0x0110, 1u), (received[1].Type, received[1].Sequence));
        Assert.Equal((0x0100, 2u), (received[2].Type, received[2].Sequence));
    }

    [Fact]
    public async Task Power_commands_and_inquiry_are_byte_exact()
    {
        await _camera.SetPowerAsync(false, Ct);
        Assert.Equal([0x81, 0x01, 0x04, 0x00, 0x03, 0xFF], Last.Payload);
        Assert.False(_sim.PowerOn);
        Assert.Equal(CameraPower.Standby, await _camera.GetPowerAsync(Ct));
        Assert.Equal([0x81, 0x09, 0x04, 0x00, 0xFF], Last.Payload);

        await _camera.SetPowerAsync(true, Ct);
        Assert.Equal([0x81, 0x01, 0x04, 0x00, 0x02, 0xFF], Last.Payload);
        Assert.Equal(CameraPower.On, await _camera.GetPowerAsync(Ct));
    }

    [Fact]
    public async Task Drive_and_stop_are_byte_exact()
    {
        await _camera.DriveAsync(PanTiltDirection.UpLeft, 0x10, 0x0C, Ct);
        Assert.Equal([0x81, 0x01, 0x06, 0x01, 0x10, 0x0C, 0x01, 0x01, 0xFF], Last.Payload);
        Assert.Equal("driving 11", _sim.Motion);
        await _camera.DriveAsync(PanTiltDirection.Right, 1, 1, Ct);
        Assert.Equal([0x81, 0x01, 0x06, 0x01, 0x01, 0x01, 0x02, 0x03, 0xFF], Last.Payload);
        await _camera.StopAsync(Ct);
        Assert.Equal([0x81, 0x01, 0x06, 0x01, 0x01, 0x01, 0x03, 0x03, 0xFF], Last.Payload);
        Assert.Equal("stopped", _sim.Motion);
    }

    [Fact]
    public async Task Absolute_position_home_and_position_inquiry_round_trip()
    {
        await _camera.MoveToAsync(new PanTiltPosition(-300, 0x0123), 0x18, 0x17, Ct);
        Assert.Equal([0x81, 0x01, 0x06, 0x02, 0x18, 0x17, 0x0F, 0x0E, 0x0D, 0x04, 0x00, 0x01, 0x02, 0x03, 0xFF], Last.Payload);
        Assert.Equal((-300, 0x0123), (_sim.Pan, _sim.Tilt));
        Assert.Equal(new PanTiltPosition(-300, 0x0123), await _camera.GetPositionAsync(Ct));
        Assert.Equal([0x81, 0x09, 0x06, 0x12, 0xFF], Last.Payload);

        await _camera.HomeAsync(Ct);
        Assert.Equal([0x81, 0x01, 0x06, 0x04, 0xFF], Last.Payload);
        Assert.Equal(new PanTiltPosition(0, 0), await _camera.GetPositionAsync(Ct));
    }

    [Fact]
    public async Task Zoom_direct_and_inquiry_round_trip()
    {
        await _camera.ZoomToAsync(0x2A5F, Ct);
        Assert.Equal([0x81, 0x01, 0x04, 0x47, 0x02, 0x0A, 0x05, 0x0F, 0xFF], Last.Payload);
        Assert.Equal(0x2A5F, await _camera.GetZoomAsync(Ct));
        Assert.Equal([0x81, 0x09, 0x04, 0x47, 0xFF], Last.Payload);
    }

    [Fact]
    public async Task Presets_store_and_recall_positions_up_to_127()
    {
        await _camera.MoveToAsync(new PanTiltPosition(1000, -200), 5, 5, Ct);
        await _camera.ZoomToAsync(0x1000, Ct);
        await _camera.SetPresetAsync(127, Ct);
        Assert.Equal([0x81, 0x01, 0x04, 0x3F, 0x01, 0x7F, 0xFF], Last.Payload);
        await _camera.HomeAsync(Ct);
        await _camera.ZoomToAsync(0, Ct);

        await _camera.RecallPresetAsync(127, Ct);
        Assert.Equal([0x81, 0x01, 0x04, 0x3F, 0x02, 0x7F, 0xFF], Last.Payload);
        Assert.Equal(new PanTiltPosition(1000, -200), await _camera.GetPositionAsync(Ct));
        Assert.Equal(0x1000, await _camera.GetZoomAsync(Ct));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(128)]
    public async Task Preset_numbers_outside_0_127_are_bad_arguments_and_nothing_is_sent(int preset)
    {
        var e = await Assert.ThrowsAsync<DeviceException>(() => _camera.RecallPresetAsync(preset, Ct));
        Assert.Equal(DeviceErrorKind.BadArgument, e.Kind);
        Assert.Empty(_sim.Received);
    }

    [Fact]
    public async Task Buffer_full_is_retried_until_the_camera_accepts()
    {
        await _camera.GetPowerAsync(Ct);
        var before = _sim.Received.Count;
        _sim.Faults.Set(Fault.ErrorReply, count: 2, errorCode: 0x03);
        await _camera.SetPresetAsync(3, Ct);
        Assert.True(_sim.HasPreset(3));
        Assert.Equal(3, _sim.Received.Count - before);
    }

    [Fact]
    public async Task Not_executable_is_a_typed_error()
    {
        _sim.PowerOn = false;
        var e = await Assert.ThrowsAsync<ViscaException>(() => _camera.RecallPresetAsync(1, Ct));
        Assert.Equal(ViscaError.CommandNotExecutable, e.Error);
        Assert.Equal(DeviceErrorKind.Rejected, e.Kind);
    }

    [Theory]
    [InlineData(0x01, ViscaError.MessageLength)]
    [InlineData(0x02, ViscaError.Syntax)]
    [InlineData(0x04, ViscaError.CommandCancelled)]
    [InlineData(0x05, ViscaError.NoSocket)]
    public async Task Every_error_reply_maps_to_its_type(int code, ViscaError expected)
    {
        await _camera.GetPowerAsync(Ct);
        _sim.Faults.Set(Fault.ErrorReply, count: 1, errorCode: code);
        var e = await Assert.ThrowsAsync<ViscaException>(() => _camera.HomeAsync(Ct));
        Assert.Equal(expected, e.Error);
    }

    [Fact]
    public async Task A_malformed_reply_is_a_protocol_error()
    {
        await _camera.GetPowerAsync(Ct);
        _sim.Faults.Set(Fault.Garbage, count: 1);
        await Assert.ThrowsAsync<DeviceProtocolException>(() => _camera.GetPowerAsync(Ct));
        Assert.Equal(CameraPower.On, await _camera.GetPowerAsync(Ct));
    }

    [Fact]
    public async Task A_camera_that_never_answers_times_out_after_resending_the_same_sequence_number()
    {
        await using var camera = Camera(TimeSpan.FromMilliseconds(150));
        await camera.GetPowerAsync(Ct);
        var before = _sim.Received.Count;
        _sim.Faults.Set(Fault.NoReply);
        var e = await Assert.ThrowsAsync<DeviceException>(() => camera.HomeAsync(Ct));
        Assert.Equal(DeviceErrorKind.Timeout, e.Kind);
        // Only the home command counts: on a loaded machine a late resend of the power inquiry may land after 'before'.
        byte[] home = [0x81, 0x01, 0x06, 0x04, 0xFF];
        var tries = _sim.Received.Skip(before).Where(t => t.Payload.SequenceEqual(home)).ToList();
        Assert.Equal(3, tries.Count);
        Assert.Single(tries.Select(t => t.Sequence).Distinct());
    }

    [Fact]
    public async Task After_repeated_timeouts_the_sequence_is_reset_before_the_next_command()
    {
        await using var camera = Camera(TimeSpan.FromMilliseconds(150));
        await camera.GetPowerAsync(Ct);
        _sim.Faults.Set(Fault.NoReply);
        await Assert.ThrowsAsync<DeviceException>(() => camera.HomeAsync(Ct));
        await Assert.ThrowsAsync<DeviceException>(() => camera.HomeAsync(Ct));
        _sim.Faults.Clear();
        var before = _sim.Received.Count;
        await camera.HomeAsync(Ct);
        var next = _sim.Received.Skip(before).ToList();
        Assert.Equal((ushort)0x0200, next[0].Type);
        var command = next.First(t => t.Type != 0x0200);
        Assert.Equal((0x0100, 1u), (command.Type, command.Sequence));
    }

    [Fact]
    public async Task A_closed_port_is_offline_not_a_crash()
    {
        await using var nobody = new ViscaIpCamera("cam9", new UdpDatagramTransport("127.0.0.1", FreeUdpPort()),
            new ViscaIpCameraSettings { ReplyTimeout = TimeSpan.FromMilliseconds(100) });
        var e = await Assert.ThrowsAsync<DeviceException>(() => nobody.GetPowerAsync(Ct));
        Assert.Equal(DeviceState.Offline, e.ImpliedState);
    }

    [Fact]
    public async Task Poll_reports_power()
    {
        _sim.PowerOn = false;
        var result = await _camera.PollAsync(Ct);
        Assert.Equal(DeviceState.Online, result.State);
        Assert.Equal("power standby", result.Detail);
    }

    private static int FreeUdpPort()
    {
        using var s = new System.Net.Sockets.UdpClient(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        return ((System.Net.IPEndPoint)s.Client.LocalEndPoint!).Port;
    }

    [Fact]
    public async Task Late_replies_are_matched_by_sequence_number_counted_and_never_taken_as_a_later_answer()
    {
        var camera = Camera(TimeSpan.FromMilliseconds(300));
        await using var _ = camera;
        Assert.Equal(CameraPower.On, await camera.GetPowerAsync(Ct)); // the sequence is reset and in use
        // The camera holds its answers to the next message and its two resends: the inquiry times out ...
        _sim.Faults.Set(Fault.Held, count: 3);
        var e = await Assert.ThrowsAsync<DeviceException>(() => camera.GetPowerAsync(Ct));
        Assert.Equal(DeviceErrorKind.Timeout, e.Kind);
        _sim.Faults.ReleaseHeld(); // ... and they arrive now, late
        // ... the power goes to standby meanwhile; every later answer is the camera's own to that request, and the late
        // ones (which still say "on") are skipped by their sequence numbers and counted.
        await camera.SetPowerAsync(false, Ct);
        await Eventually(async () =>
        {
            Assert.Equal(CameraPower.Standby, await camera.GetPowerAsync(Ct));
            return camera.LateReplies >= 1;
        });
    }

    private static async Task Eventually(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!await condition())
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not met within 15 s");
    }
}
