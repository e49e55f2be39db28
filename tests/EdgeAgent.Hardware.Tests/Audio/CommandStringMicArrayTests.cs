using EdgeAgent.Hardware.Audio;
using EdgeAgent.Hardware.Health;
using EdgeAgent.Hardware.Transport;
using EdgeAgent.Simulators.Common;
using EdgeAgent.Simulators.MicArray;

namespace EdgeAgent.Hardware.Tests.Audio;

public sealed class CommandStringMicArrayTests : IAsyncLifetime
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly MicArraySimulator _sim = new();
    private CommandStringMicArray _mic = null!;

    public Task InitializeAsync()
    {
        _mic = new CommandStringMicArray("mic1", new TcpStreamConnector("127.0.0.1", _sim.Port, TimeSpan.FromSeconds(2)),
            // Generous: at the start of a CI run both test assemblies JIT at once; only the silence test waits this long.
            new MicArraySettings { ReplyTimeout = TimeSpan.FromSeconds(5) });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _mic.DisposeAsync();
        await _sim.DisposeAsync();
    }

    [Fact]
    public async Task The_echo_canceller_is_switched_on_every_channel_and_read_back_and_the_poll_reports_it()
    {
        Assert.False(await _mic.GetEchoCancellationAsync(Ct));
        Assert.True(await _mic.SetEchoCancellationAsync(true, Ct));
        Assert.All(Enumerable.Range(1, _sim.Channels), c => Assert.True(_sim.EchoCancellation(c)));
        Assert.True(await _mic.GetEchoCancellationAsync(Ct));
        Assert.Equal(["< GET 01 AEC >", "< SET 00 AEC ON >", "< GET 01 AEC >"], _sim.Received);
        var poll = await _mic.PollAsync(Ct);
        Assert.EndsWith(", AEC on", poll.Detail);
    }

    [Fact]
    public async Task An_array_without_an_echo_canceller_says_so_and_stays_online()
    {
        _sim.HasEchoCanceller = false;
        Assert.Null(await _mic.GetEchoCancellationAsync(Ct));
        Assert.False(await _mic.SetEchoCancellationAsync(true, Ct));
        Assert.Null(_mic.EchoCancellation);
        Assert.DoesNotContain("AEC", (await _mic.PollAsync(Ct)).Detail);
    }

    [Fact]
    public async Task The_room_mute_is_the_device_mute_byte_exact_as_the_reference_writes_it()
    {
        Assert.False(await _mic.GetMuteAsync(Ct));
        await _mic.SetMuteAsync(true, Ct);
        Assert.True(_sim.Muted);
        Assert.True(await _mic.GetMuteAsync(Ct));
        await _mic.SetMuteAsync(false, Ct);
        Assert.Equal(["< GET DEVICE_AUDIO_MUTE >", "< SET DEVICE_AUDIO_MUTE ON >", "< GET DEVICE_AUDIO_MUTE >", "< SET DEVICE_AUDIO_MUTE OFF >"], _sim.Received);
        Assert.Equal(1, _sim.Connections);
    }

    [Fact]
    public async Task Gain_per_channel_round_trips_in_tenths_of_a_dB()
    {
        await _mic.SetGainAsync(3, -6.5, Ct);
        Assert.Equal("< SET 03 AUDIO_GAIN_HI_RES 1035 >", _sim.Received[^1]);
        Assert.Equal(-6.5, _sim.GainDb(3));
        Assert.Equal(-6.5, await _mic.GetGainAsync(3, Ct));
        Assert.Equal("< GET 03 AUDIO_GAIN_HI_RES >", _sim.Received[^1]);
        await _mic.SetGainAsync(8, 30, Ct);
        Assert.Equal(30, _sim.GainDb(8));
    }

    [Theory]
    [InlineData(0, 0.0)]
    [InlineData(65, 0.0)]
    [InlineData(1, 30.1)]
    [InlineData(1, -110.5)]
    [InlineData(1, double.NaN)]
    public async Task Out_of_range_channel_or_gain_is_a_bad_argument_and_nothing_is_sent(int channel, double gain)
    {
        var e = await Assert.ThrowsAsync<DeviceException>(() => _mic.SetGainAsync(channel, gain, Ct));
        Assert.Equal(DeviceErrorKind.BadArgument, e.Kind);
        Assert.Empty(_sim.Received);
    }

    [Fact]
    public async Task A_channel_the_array_does_not_have_is_rejected_by_the_device()
    {
        var e = await Assert.ThrowsAsync<DeviceException>(() => _mic.GetGainAsync(12, Ct));
        Assert.Equal(DeviceErrorKind.Rejected, e.Kind);
    }

    [Fact]
    public async Task Unsolicited_reports_update_the_cached_state()
    {
        await _mic.GetMuteAsync(Ct);
        await _sim.PressMuteButtonAsync(true);
        await WaitUntil(() => _mic.LastKnownMute == true);
        await _sim.PressMuteButtonAsync(false);
        await WaitUntil(() => _mic.LastKnownMute == false);
    }

    [Fact]
    public async Task Metering_keeps_the_latest_levels()
    {
        _sim.Levels = [40, 42, 0, 60, 30, 30, 30, 30];
        await _mic.SetMeterRateAsync(100, Ct);
        Assert.Equal("< SET METER_RATE 00100 >", _sim.Received[^1]);
        await WaitUntil(() => _mic.Levels is not null);
        Assert.Equal([-20.0, -18.0, -60.0, 0.0, -30.0, -30.0, -30.0, -30.0], _mic.Levels!.Dbfs);
        _sim.Levels = [10, 10, 10, 10, 10, 10, 10, 10];
        await WaitUntil(() => _mic.Levels!.Dbfs[0] == -50.0);
        await _mic.SetMeterRateAsync(0, Ct);
    }

    [Fact]
    public async Task Poll_reads_everything_and_reports_channels()
    {
        var result = await _mic.PollAsync(Ct);
        Assert.Equal(DeviceState.Online, result.State);
        Assert.Equal("live, 8 channels, AEC off", result.Detail);
        Assert.Equal("< GET 0 ALL >", _sim.Received[^1]);
        Assert.Equal(8, _mic.LastKnownGains.Count);
    }

    [Fact]
    public async Task A_dropped_connection_fails_the_request_and_the_next_one_reconnects()
    {
        await _mic.GetMuteAsync(Ct);
        _sim.Faults.Set(Fault.DropConnection, count: 1);
        var e = await Assert.ThrowsAsync<DeviceException>(() => _mic.GetMuteAsync(Ct));
        Assert.Equal(DeviceErrorKind.Unreachable, e.Kind);
        Assert.False(await _mic.GetMuteAsync(Ct));
        Assert.Equal(2, _sim.Connections);
    }

    [Fact]
    public async Task Garbage_is_a_protocol_error_and_silence_a_timeout()
    {
        _sim.Faults.Set(Fault.Garbage, count: 1);
        await Assert.ThrowsAsync<DeviceProtocolException>(() => _mic.GetMuteAsync(Ct));
        _sim.Faults.Set(Fault.NoReply, count: 1);
        var e = await Assert.ThrowsAsync<DeviceException>(() => _mic.GetMuteAsync(Ct));
        Assert.Equal(DeviceErrorKind.Timeout, e.Kind);
        Assert.False(await _mic.GetMuteAsync(Ct));
    }

    [Fact]
    public async Task An_array_that_is_not_there_is_unreachable()
    {
        var port = _sim.Port;
        await _sim.DisposeAsync();
        var e = await Assert.ThrowsAsync<DeviceException>(() => _mic.GetMuteAsync(Ct));
        Assert.Equal(DeviceState.Offline, e.ImpliedState);
    }

    [Fact]
    public async Task Channel_numbers_are_written_the_way_the_array_reports_them()
    {
        _sim.TwoDigitChannels = false; // an MXA910 writes channels 1..9 with one digit
        await _mic.PollAsync(Ct);       // GET 0 ALL: the reports show how it writes them
        await _mic.SetGainAsync(3, -6.5, Ct);
        Assert.Equal("< SET 3 AUDIO_GAIN_HI_RES 1035 >", _sim.Received[^1]);
        Assert.Equal(-6.5, _sim.GainDb(3));
    }

    [Fact]
    public async Task Channel_mutes_are_kept_apart_from_the_device_mute()
    {
        await _mic.PollAsync(Ct);
        Assert.Equal(8, _mic.LastKnownChannelMutes.Count);
        Assert.False(_mic.LastKnownChannelMutes[2]);
        Assert.False(_mic.LastKnownMute);
    }

    [Fact]
    public async Task A_late_answer_is_counted_and_discarded_never_taken_for_the_next_request()
    {
        var mic = new CommandStringMicArray("mic-slow", new TcpStreamConnector("127.0.0.1", _sim.Port, TimeSpan.FromSeconds(2)),
            new MicArraySettings { ReplyTimeout = TimeSpan.FromSeconds(1), LateReplyWindow = TimeSpan.FromSeconds(30) });
        await using var _ = mic;
        Assert.False(await mic.GetMuteAsync(Ct)); // device mute OFF, answered in time

        // The array holds its answer: the GET times out ...
        _sim.Faults.Set(Fault.Held, count: 1);
        var e = await Assert.ThrowsAsync<DeviceException>(() => mic.GetMuteAsync(Ct));
        Assert.Equal(DeviceErrorKind.Timeout, e.Kind);
        _sim.Faults.ReleaseHeld(); // the answer goes out now, late, on the connection the timeout retired
        // ... and the next request is answered by its own reply, on a fresh connection, not by the late one.
        await mic.SetMuteAsync(true, Ct);
        Assert.True(await mic.GetMuteAsync(Ct));
        await WaitUntil(() => mic.LateReplies == 1);
        Assert.True(await mic.GetMuteAsync(Ct));
        Assert.Equal(2, _sim.Connections); // the first connection, and a fresh one after the timeout
    }

    [Fact]
    public async Task An_array_that_answers_late_every_time_is_offline_with_every_late_answer_counted()
    {
        var mic = new CommandStringMicArray("mic-late", new TcpStreamConnector("127.0.0.1", _sim.Port, TimeSpan.FromSeconds(2)),
            new MicArraySettings { ReplyTimeout = TimeSpan.FromMilliseconds(500), LateReplyWindow = TimeSpan.FromSeconds(30) });
        await using var _ = mic;
        _sim.Faults.Set(Fault.Held);
        for (var i = 0; i < 3; i++)
            Assert.Equal(DeviceErrorKind.Timeout, (await Assert.ThrowsAsync<DeviceException>(() => mic.PollAsync(Ct))).Kind);
        _sim.Faults.ReleaseHeld(); // every answer arrives, late
        await WaitUntil(() => mic.LateReplies == 3);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not met within 10 s");
            await Task.Delay(10);
        }
    }
}
