using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using EdgeAgent.Configuration;
using EdgeAgent.Devices;
using EdgeAgent.Lessons;
using EdgeAgent.Simulators.Gpio;
using EdgeAgent.State;
using EdgeAgent.Telemetry;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAgent.Tests.TestSupport;

/// <summary>
/// The lesson runner on a <see cref="FakeTimeProvider"/> with everything else real: the simulated classroom over its
/// protocols, simulated GPIO lines, the stream service with real ffmpeg on the test source (on the real clock), the
/// state database and outbox. Seed 001's winter timetables; this room is 巫溪中心小学's main room.
/// </summary>
public sealed class LessonRig : IAsyncDisposable
{
    public const string Own = "lanxi-wuxi-ps";
    public const string Partner = "lanxi-houren-ps";
    public const int LightPin = 5, ButtonPin = 6, RelayPin = 7, Camera1MainsPin = 8;

    public static readonly TimeSpan China = TimeSpan.FromHours(8);

    private CancellationTokenSource? _run;

    private LessonRig(string dir, SimulatedClassroom room, FakeTimeProvider time, AgentOptions options, SimulatedGpioDriver gpio, bool healing, TimeProvider? healingClock)
    {
        // cam1's mains go through a relay on the box (gpio.powerRelays.cam1), active low like most relay boards.
        MainsRelay.Wire(gpio, Camera1MainsPin, activeLow: true, room.Camera1.SetMains);
        Dir = dir;
        Room = room;
        Time = time;
        Options = options;
        Gpio = gpio;
        Database = new StateDatabase(options.StateDirectory, NullLogger<StateDatabase>.Instance);
        Database.Migrate();
        Outbox = new Outbox(Database, 10_000, time, NullLogger<Outbox>.Instance);
        var topics = new RoomTopics(options.Address);
        Events = new EventSink(Outbox, topics, time);
        Events.Raised += e => Raised.Enqueue(e);
        Devices = new DeviceRegistry(options, NullLoggerFactory.Instance, TimeProvider.System, gpio);
        Streams = new StreamService(options, TimeProvider.System, NullLoggerFactory.Instance, Events, Database);
        Store = new LessonStore(Database, time, Outbox, topics);
        Compliance = new EdgeAgent.Compliance.ComplianceStore(Database, Outbox, topics, Events);
        Bookings = new BookingSource(options, Store, Events, NullLogger<BookingSource>.Instance);
        Board = new LiveBoard();
        var records = new LessonRecords(options, Bookings);
        Reporter = new LessonReporter(Store, Events, Board, records, time, NullLogger<LessonReporter>.Instance);
        Playback = new PlaybackService(options, TimeProvider.System, NullLoggerFactory.Instance, Events);
        var executor = new LessonExecutor(new RoomControl(Devices, NullLogger<RoomControl>.Instance, options.Playback), new RoomMedia(Streams, Playback), records, Reporter, time,
            NullLogger<LessonExecutor>.Instance);
        Runner = new LessonRunner(new LessonPlanner(options, Bookings, Store, records), executor, Reporter, time, NullLogger<LessonRunner>.Instance);
        Runner.Recorded += r => Records.Enqueue(r);
        if (healing)
        {
            Poller = new DeviceHealthPoller(Devices, new EdgeAgent.Kernel.MainLoops(time), time, NullLogger<DeviceHealthPoller>.Instance);
            Playbooks = new EdgeAgent.Healing.PlaybookSource(options, Database, time, NullLogger<EdgeAgent.Healing.PlaybookSource>.Instance, Events);
            Healer = new EdgeAgent.Healing.Healer(Playbooks, Devices, Poller, Runner, Streams, Events, options, healingClock ?? time, NullLogger<EdgeAgent.Healing.Healer>.Instance,
                Playback, Compliance);
        }
    }

    public DeviceHealthPoller? Poller { get; }
    public EdgeAgent.Healing.PlaybookSource? Playbooks { get; }
    public EdgeAgent.Healing.Healer? Healer { get; }

    public string Dir { get; }
    public SimulatedClassroom Room { get; }
    public PlaybackService Playback { get; }
    public FakeTimeProvider Time { get; }
    public AgentOptions Options { get; }
    public SimulatedGpioDriver Gpio { get; }
    public StateDatabase Database { get; }
    /// <summary>Where compliance reports go (the healer reads the clock's verdict from it).</summary>
    public EdgeAgent.Compliance.ComplianceStore Compliance { get; }
    public Outbox Outbox { get; }
    public EventSink Events { get; }
    public DeviceRegistry Devices { get; }
    public StreamService Streams { get; }
    public LessonStore Store { get; }
    public BookingSource Bookings { get; }
    public LessonRunner Runner { get; }
    public LessonReporter Reporter { get; }
    public LiveBoard Board { get; }
    public ConcurrentQueue<EventPayload> Raised { get; } = new();
    public ConcurrentQueue<LessonRecord> Records { get; } = new();

    /// <summary>A rig over <paramref name="dir"/> (reused by a second rig to play an agent restart).</summary>
    /// <param name="healingClock">The healer's clock (its waits, its look at the stream every second): the fake one unless given.</param>
    public static LessonRig Create(string dir, SimulatedClassroom room, DateTimeOffset now, JsonArray bookings, Action<JsonObject>? edit = null, bool healing = false,
        TimeProvider? healingClock = null)
    {
        var config = TestConfig.Minimal(dir);
        config["school"] = Own;
        config["role"] = "main";
        config["devices"] = room.Devices();
        config["gpio"] = new JsonObject
        {
            ["chip"] = 0, ["onAirLight"] = new JsonObject { ["pin"] = LightPin }, ["lessonButton"] = new JsonObject { ["pin"] = ButtonPin },
            ["displayRelay"] = new JsonObject { ["pin"] = RelayPin }, ["debounceMs"] = 20,
            ["powerRelays"] = new JsonObject { ["cam1"] = new JsonObject { ["pin"] = Camera1MainsPin, ["activeLow"] = true } },
        };
        config["stream"] = new JsonObject
        {
            ["videoSource"] = "test", ["audioSource"] = "test", ["width"] = 320, ["height"] = 180, ["videoBitrateKbps"] = 300, ["audioBitrateKbps"] = 64,
            ["stallSeconds"] = 5, ["maxRestarts"] = 1, ["restartMaxSeconds"] = 1, ["stopTimeoutSeconds"] = 5,
        };
        config["lessons"] = new JsonObject { ["timetables"] = SeedTimetables(), ["bookings"] = bookings.DeepClone() };
        edit?.Invoke(config);
        var loaded = ConfigLoader.Parse(config.ToJsonString(), EdgeAgent.Service.AgentServices.ConfigRules);
        if (!loaded.Ok) throw new InvalidOperationException(string.Join("\n", loaded.Errors));
        return new LessonRig(dir, room, new FakeTimeProvider(now), loaded.Options!, new SimulatedGpioDriver(), healing, healingClock);
    }

    /// <summary>Seed 001: both schools' winter timetables from 2022-10-09, and a summer one for 巫溪 before it.</summary>
    public static JsonArray SeedTimetables()
    {
        static JsonObject P(string name, string start, string end) => new() { ["name"] = name, ["start"] = start, ["end"] = end };
        return
        [
            new JsonObject
            {
                ["school"] = Own,
                ["schedules"] = new JsonArray(
                    new JsonObject { ["name"] = "summer", ["effectiveFrom"] = "2022-02-14", ["periods"] = new JsonArray(P("1", "08:20", "09:00"), P("2", "09:10", "09:50"), P("4", "14:00", "14:40")) },
                    new JsonObject
                    {
                        ["name"] = "winter", ["effectiveFrom"] = "2022-10-09",
                        ["periods"] = new JsonArray(P("1", "08:30", "09:10"), P("2", "09:20", "10:05"), P("3", "10:35", "11:15"), P("4", "13:20", "14:00"), P("5", "14:10", "14:55"), P("6", "15:05", "15:45")),
                    }),
            },
            new JsonObject
            {
                ["school"] = Partner,
                ["schedules"] = new JsonArray(new JsonObject
                {
                    ["name"] = "winter", ["effectiveFrom"] = "2022-10-09",
                    ["periods"] = new JsonArray(P("1", "08:25", "09:05"), P("2", "09:15", "10:00"), P("3", "10:30", "11:10"), P("4", "13:00", "13:40"), P("5", "13:50", "14:35"), P("6", "14:45", "15:25")),
                }),
            },
        ];
    }

    public static JsonObject Booking(string id, string date, string period, string form = "SyncClassroom", string subject = "maths", string teacher = "王老师", int students = 28) => new()
    {
        ["id"] = id, ["date"] = date, ["period"] = period, ["form"] = form, ["subject"] = subject,
        ["partnerSchool"] = Partner, ["partnerRoom"] = "room-2", ["teacher"] = teacher, ["class"] = "四(1)班", ["students"] = students,
    };

    public static DateTimeOffset At(string date, string time) => DateTimeOffset.Parse($"{date}T{time}:00+08:00", System.Globalization.CultureInfo.InvariantCulture);

    public async Task StartAsync()
    {
        _run = new CancellationTokenSource();
        await Runner.StartAsync(_run.Token);
        if (Poller is not null) await Poller.StartAsync(_run.Token);
        if (Healer is not null) await Healer.StartAsync(_run.Token);
    }

    /// <summary>
    /// With healing: moves the fake clock a second at a time (each time the device poller has done its pass and every heal
    /// in progress waits on the clock) until <paramref name="done"/> holds; returns the fake seconds it took, or fails
    /// after <paramref name="within"/>.
    /// </summary>
    public async Task<TimeSpan> HealUntil(Func<bool> done, TimeSpan within, string what)
    {
        var from = Time.GetUtcNow();
        while (true)
        {
            await Eventually.True(() => Healer!.Activity is var (running, sleeping) && running == sleeping, TimeSpan.FromSeconds(60), "heals to wait on the clock");
            if (done()) return Time.GetUtcNow() - from;
            if (Time.GetUtcNow() - from >= within) throw new Xunit.Sdk.XunitException($"not {what} within {within.TotalSeconds:0} s of the clock");
            var passes = Poller!.Passes;
            Time.Advance(TimeSpan.FromSeconds(1));
            await Eventually.True(() => Poller.Passes > passes, TimeSpan.FromSeconds(60), "the device poller's pass");
        }
    }

    /// <summary>
    /// Moves the fake clock forward to <paramref name="when"/>, stopping at every moment the runner asked to be woken
    /// and waiting until it has done its work and sleeps again, so that nothing due on the way is skipped.
    /// </summary>
    public async Task AdvanceTo(DateTimeOffset when)
    {
        while (true)
        {
            await Eventually.True(() => Runner.LoopState.WaitingUntil is not null, TimeSpan.FromSeconds(60), "the lesson runner to be idle");
            var (passes, wake) = Runner.LoopState;
            var now = Time.GetUtcNow();
            if (wake!.Value > when)
            {
                if (when > now) Time.Advance(when - now);
                return;
            }
            if (wake.Value > now) Time.Advance(wake.Value - now);
            else Time.Advance(TimeSpan.Zero);
            await Eventually.True(() => Runner.LoopState.Passes > passes && Runner.LoopState.WaitingUntil is not null, TimeSpan.FromSeconds(60),
                $"the lesson runner's work at {wake:HH:mm:ss}");
        }
    }

    /// <summary>Waits until the runner has handled everything posted to it and sleeps.</summary>
    public Task Idle() => Eventually.True(() => Runner.LoopState.WaitingUntil is not null, TimeSpan.FromSeconds(60), "the lesson runner to be idle");

    /// <summary>Advances to the lesson's start and waits until the runner has seen its stream running.</summary>
    public async Task StartsStreamingAt(DateTimeOffset start)
    {
        await AdvanceTo(start);
        await Eventually.True(() => Runner.IsStreaming, TimeSpan.FromSeconds(60), $"the lesson stream at {start:HH:mm}");
    }

    public async Task<LessonRecord> EndsAt(DateTimeOffset end, int recordsBefore)
    {
        await AdvanceTo(end);
        await Eventually.True(() => Records.Count > recordsBefore, TimeSpan.FromSeconds(60), $"the lesson record at {end:HH:mm}");
        return Records.ElementAt(recordsBefore);
    }

    public bool LightBlinking => Devices.OnAirLight!.Mode == Hardware.Gpio.OnAirMode.Blinking;
    public bool LightOn => Devices.OnAirLight!.Mode == Hardware.Gpio.OnAirMode.On;
    public bool LightOff => Devices.OnAirLight!.Mode == Hardware.Gpio.OnAirMode.Off;
    public bool DisplayOn => Room.Display.PowerState is 1 or 3;
    public bool DisplayOff => Room.Display.PowerState is 0 or 2;

    /// <summary>Stops the runner as a host stop would (the live lesson stays saved), then the stream.</summary>
    public async Task StopAgentAsync()
    {
        await Runner.StopAsync(CancellationToken.None);
        await Streams.StopAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        if (Healer is not null) await Healer.StopAsync(CancellationToken.None);
        if (Poller is not null) await Poller.StopAsync(CancellationToken.None);
        if (_run is not null)
        {
            await Runner.StopAsync(CancellationToken.None);
            _run.Dispose();
        }
        await Streams.StopAsync(CancellationToken.None);
        await Devices.DisposeAsync();
        Runner.Dispose();
        Streams.Dispose();
    }
}
