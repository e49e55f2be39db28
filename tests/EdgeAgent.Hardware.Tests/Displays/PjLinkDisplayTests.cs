using EdgeAgent.Hardware.Displays;
using EdgeAgent.Hardware.Health;
using EdgeAgent.Hardware.Transport;
using EdgeAgent.Simulators.Common;
using EdgeAgent.Simulators.PjLink;

namespace EdgeAgent.Hardware.Tests.Displays;

public sealed class PjLinkDisplayTests : IAsyncDisposable
{
    private const string Password = "JBMIAProjectorLink";
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly List<IAsyncDisposable> _owned = [];

    private (PjLinkDisplaySimulator Sim, PjLinkDisplay Display) Create(string? simPassword = null, string? driverPassword = null, int cls = 1)
    {
        var sim = new PjLinkDisplaySimulator(password: simPassword, pjLinkClass: cls);
        var display = new PjLinkDisplay("display1", new TcpStreamConnector("127.0.0.1", sim.Port, TimeSpan.FromSeconds(2)), driverPassword,
            new PjLinkDisplaySettings
            {
                // Generous: CI machines are loaded; only the no-greeting test waits this long.
                ReplyTimeout = TimeSpan.FromSeconds(3),
                WarmupPatience = TimeSpan.FromSeconds(10),
                WarmupRetryInterval = TimeSpan.FromMilliseconds(50),
            });
        _owned.Add(display);
        _owned.Add(sim);
        return (sim, display);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var o in _owned) await o.DisposeAsync();
    }

    [Fact]
    public async Task Power_cycle_goes_through_warming_and_cooling()
    {
        var (sim, display) = Create();
        sim.WarmupTime = sim.CooldownTime = TimeSpan.FromSeconds(30); // the test moves on with ForcePower
        Assert.Equal(DisplayPower.Off, await display.GetPowerAsync(Ct));
        await display.SetPowerAsync(true, Ct);
        Assert.Equal(DisplayPower.Warming, await display.GetPowerAsync(Ct));
        Assert.Equal(["%1POWR ?", "%1POWR 1", "%1POWR ?"], sim.Received);
        sim.ForcePower(true);
        Assert.Equal(DisplayPower.On, await display.GetPowerAsync(Ct));
        await display.SetPowerAsync(false, Ct);
        Assert.Equal(DisplayPower.Cooling, await display.GetPowerAsync(Ct));
        Assert.Equal("%1POWR 0", sim.Received[^2]);
    }

    [Fact]
    public async Task Input_select_during_warm_up_is_retried_until_the_display_is_ready()
    {
        var (sim, display) = Create();
        sim.WarmupTime = TimeSpan.FromSeconds(1);
        await display.SetPowerAsync(true, Ct);
        await display.SetInputAsync("32", Ct);
        Assert.Equal("32", sim.Input);
        Assert.Equal(1, sim.PowerState);
        var attempts = sim.Received.Count(l => l == "%1INPT 32");
        Assert.True(attempts >= 2, $"expected the INPT to be refused during warm-up at least once, saw {attempts} attempts");
        Assert.Equal("32", await display.GetInputAsync(Ct));
    }

    [Fact]
    public async Task Inputs_are_listed_and_an_unknown_input_is_out_of_parameter()
    {
        var (sim, display) = Create();
        sim.ForcePower(true);
        Assert.Equal(["11", "31", "32", "33", "51"], await display.ListInputsAsync(Ct));
        Assert.Equal("%1INST ?", sim.Received[^1]);
        var e = await Assert.ThrowsAsync<PjLinkException>(() => display.SetInputAsync("59", Ct));
        Assert.Equal(PjLinkError.OutOfParameter, e.Error);
        Assert.Equal(DeviceErrorKind.BadArgument, e.Kind);
    }

    [Theory]
    [InlineData("3")]
    [InlineData("311")]
    [InlineData("3 ")]
    [InlineData("0A")]
    public async Task Malformed_input_names_never_reach_the_display(string input)
    {
        var (sim, display) = Create();
        var e = await Assert.ThrowsAsync<DeviceException>(() => display.SetInputAsync(input, Ct));
        Assert.Equal(DeviceErrorKind.BadArgument, e.Kind);
        Assert.Equal(0, sim.Connections);
    }

    [Fact]
    public async Task Av_mute_set_and_query()
    {
        var (sim, display) = Create();
        sim.ForcePower(true);
        await display.SetAvMuteAsync(true, Ct);
        Assert.Equal("%1AVMT 31", sim.Received[^1]);
        Assert.True(await display.GetAvMuteAsync(Ct));
        await display.SetAvMuteAsync(false, Ct);
        Assert.Equal("%1AVMT 30", sim.Received[^1]);
        Assert.False(sim.AvMuted);
    }

    [Fact]
    public async Task Error_status_reports_each_part()
    {
        var (sim, display) = Create();
        sim.ErrorStatus = "210001";
        var status = await display.GetErrorStatusAsync(Ct);
        Assert.Equal((ErrorLevel.Error, ErrorLevel.Warning, ErrorLevel.Ok, ErrorLevel.Ok, ErrorLevel.Ok, ErrorLevel.Warning),
            (status.Of("fan"), status.Of("lamp"), status.Of("temperature"), status.Of("cover"), status.Of("filter"), status.Of("other")));
        Assert.Equal("fan error, lamp warning, other warning", status.Summary);
    }

    [Fact]
    public async Task Several_lamps_are_reported()
    {
        var (sim, display) = Create();
        sim.ForcePower(true);
        sim.ExtraLamps = [(5432, false)];
        var lamps = await display.GetLampsAsync(Ct);
        Assert.Equal(2, lamps.Count);
        Assert.Equal(new LampStatus(sim.LampHours, true), lamps[0]);
        Assert.Equal(new LampStatus(5432, false), lamps[1]);
    }

    [Fact]
    public async Task Info_of_a_class_1_display_has_no_serial()
    {
        var (sim, display) = Create();
        var info = await display.GetInfoAsync(Ct);
        Assert.Equal(new DisplayInfo("Room display", "EDGESIM", "Classroom Projector X1", "simulated by edgeagent-sim", 1, null, null), info);
        Assert.Equal(["%1CLSS ?", "%1NAME ?", "%1INF1 ?", "%1INF2 ?", "%1INFO ?"], sim.Received);
        Assert.Equal(1, sim.Connections);
    }

    [Fact]
    public async Task Info_of_a_class_2_display_has_serial_and_software_version()
    {
        var (sim, display) = Create(cls: 2);
        var info = await display.GetInfoAsync(Ct);
        Assert.Equal(2, info.Class);
        Assert.Equal("SIM0001234", info.Serial);
        Assert.Equal("1.0.7", info.SoftwareVersion);
        Assert.Equal(["%2SNUM ?", "%2SVER ?"], sim.Received.TakeLast(2));
    }

    [Fact]
    public async Task Authentication_with_the_right_password_succeeds()
    {
        var (sim, display) = Create(Password, Password);
        Assert.Equal(DisplayPower.Off, await display.GetPowerAsync(Ct));
        await display.SetPowerAsync(true, Ct);
        Assert.Equal(["%1POWR ?", "%1POWR 1"], sim.Received);
    }

    [Fact]
    public async Task A_wrong_password_is_ERRA_as_an_authentication_error()
    {
        var (sim, display) = Create(Password, "wrong");
        var e = await Assert.ThrowsAsync<DeviceException>(() => display.GetPowerAsync(Ct));
        Assert.Equal(DeviceErrorKind.Authentication, e.Kind);
        Assert.Empty(sim.Received);
    }

    [Fact]
    public async Task A_display_asking_for_a_password_when_none_is_configured_is_an_authentication_error()
    {
        var (_, display) = Create(Password, null);
        var e = await Assert.ThrowsAsync<DeviceException>(() => display.GetPowerAsync(Ct));
        Assert.Equal(DeviceErrorKind.Authentication, e.Kind);
    }

    [Fact]
    public async Task A_malformed_greeting_is_a_protocol_error()
    {
        var (sim, display) = Create();
        sim.Greeting = GreetingFault.Malformed;
        await Assert.ThrowsAsync<DeviceProtocolException>(() => display.GetPowerAsync(Ct));
    }

    [Fact]
    public async Task No_greeting_is_a_timeout()
    {
        var (sim, display) = Create();
        sim.Greeting = GreetingFault.Missing;
        var e = await Assert.ThrowsAsync<DeviceException>(() => display.GetPowerAsync(Ct));
        Assert.Equal(DeviceErrorKind.Timeout, e.Kind);
        Assert.Equal(DeviceState.Offline, e.ImpliedState);
    }

    [Theory]
    [InlineData(1, PjLinkError.UndefinedCommand)]
    [InlineData(2, PjLinkError.OutOfParameter)]
    [InlineData(3, PjLinkError.UnavailableTime)]
    [InlineData(4, PjLinkError.DisplayFailure)]
    public async Task ERR1_to_ERR4_are_typed(int code, PjLinkError expected)
    {
        var (sim, display) = Create();
        sim.Faults.Set(Fault.ErrorReply, count: 2, errorCode: code); // greeting takes one
        var e = await Assert.ThrowsAsync<PjLinkException>(() => display.GetErrorStatusAsync(Ct));
        Assert.Equal(expected, e.Error);
    }

    [Fact]
    public async Task A_dropped_connection_and_garbage_are_errors_not_crashes()
    {
        var (sim, display) = Create();
        sim.Faults.Set(Fault.DropConnection, count: 2);
        var dropped = await Assert.ThrowsAsync<DeviceException>(() => display.GetPowerAsync(Ct));
        Assert.Equal(DeviceErrorKind.Unreachable, dropped.Kind);
        sim.Faults.Set(Fault.Garbage, count: 2);
        await Assert.ThrowsAsync<DeviceProtocolException>(() => display.GetPowerAsync(Ct));
        sim.Faults.Clear();
        Assert.Equal(DisplayPower.Off, await display.GetPowerAsync(Ct));
    }

    [Fact]
    public async Task A_reply_slower_than_the_timeout_is_a_timeout_and_a_slow_one_within_it_succeeds()
    {
        var (sim, display) = Create();
        sim.Faults.Set(Fault.Held, count: 2); // greeting and POWR: the answer never comes in time
        var e = await Assert.ThrowsAsync<DeviceException>(() => display.GetPowerAsync(Ct));
        Assert.Equal(DeviceErrorKind.Timeout, e.Kind);
        sim.Faults.ReleaseHeld();

        sim.Faults.SlowDelay = TimeSpan.FromMilliseconds(100);
        sim.Faults.Set(Fault.Slow, count: 2);
        Assert.Equal(DisplayPower.Off, await display.GetPowerAsync(Ct));
    }

    [Fact]
    public async Task A_late_reply_is_never_taken_as_a_later_answer_each_operation_has_its_own_connection()
    {
        var (sim, display) = Create();
        sim.Faults.Set(Fault.Held, count: 2); // greeting and POWR of the first request
        Assert.Equal(DeviceErrorKind.Timeout, (await Assert.ThrowsAsync<DeviceException>(() => display.GetPowerAsync(Ct))).Kind);
        sim.ForcePower(true); // the display changes while the first answer ("off") is still on its way
        sim.Faults.ReleaseHeld();
        // The late "POWR=0" goes to the first request's connection, which is closed: the next answers are their own.
        Assert.Equal(DisplayPower.On, await display.GetPowerAsync(Ct));
        Assert.Equal(DisplayPower.On, await display.GetPowerAsync(Ct));
    }

    [Theory]
    [InlineData("000000", DeviceState.Online)]
    [InlineData("010000", DeviceState.Degraded)]
    [InlineData("000010", DeviceState.Degraded)]
    [InlineData("200000", DeviceState.Faulty)]
    public async Task Poll_maps_error_status_to_health(string erst, DeviceState expected)
    {
        var (sim, display) = Create();
        sim.ErrorStatus = erst;
        var result = await display.PollAsync(Ct);
        Assert.Equal(expected, result.State);
        Assert.StartsWith("power off; ", result.Detail);
    }
}
