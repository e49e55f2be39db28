using System.Diagnostics;
using System.Text.Json.Nodes;
using EdgeAgent.Configuration;
using EdgeAgent.Devices;
using EdgeAgent.Healing;
using EdgeAgent.Lessons;
using EdgeAgent.Media;
using EdgeAgent.Media.Play;
using EdgeAgent.Media.Send;
using EdgeAgent.Simulators.Common;
using EdgeAgent.Simulators.Gpio;
using EdgeAgent.Simulators.MicArray;
using EdgeAgent.Simulators.PjLink;
using EdgeAgent.Simulators.Rtsp;
using EdgeAgent.Simulators.Visca;
using EdgeAgent.State;
using Microsoft.Extensions.Logging.Abstractions;

using static EdgeAgent.Bench.BenchTable;

namespace EdgeAgent.Bench;

/// <summary>
/// Self-healing: each fault class injected into a live lesson (a lesson started by hand, a small real stream) in a
/// simulated classroom over its protocols, devices polled every 2 s, on the real clock; the seconds until the room is
/// as the lesson wants it again, with the default playbooks and with them off (then nobody fixes it: the rest of the
/// lesson is lost; the run gives up after the window and puts the room right by hand for the next fault).
/// </summary>
public static class HealingBench
{
    private const int MainsPin = 8;

    private sealed record FaultClass(string Name, Func<Room, Task> Inject, Func<Room, bool> Recovered, Func<Room, Task> PutRight);

    private static readonly FaultClass[] Faults =
    [
        new("display switched off (and to another input)", r => { r.Display.PressRemote(input: "11"); r.Display.ForcePower(false); return Task.CompletedTask; },
            r => r.Display.PowerState is 1 or 3 && r.Display.Input == "31", r => { r.Display.ForcePower(true); r.Display.PressRemote(input: "31"); return Task.CompletedTask; }),
        new("display on another input", r => { r.Display.PressRemote(input: "11"); return Task.CompletedTask; },
            r => r.Display.Input == "31", r => { r.Display.PressRemote(input: "31"); return Task.CompletedTask; }),
        new("display picture muted (AVMT)", r => { r.Display.PressRemote(avMute: true); return Task.CompletedTask; },
            r => !r.Display.AvMuted, r => { r.Display.PressRemote(avMute: false); return Task.CompletedTask; }),
        new("microphones muted", r => r.Mic.PressMuteButtonAsync(true), r => !r.Mic.Muted, r => r.Mic.PressMuteButtonAsync(false)),
        new("camera hung (answers nothing until its mains go)", r => { r.Cycles = r.Camera.PowerCycles; r.Camera.Faults.Set(Fault.NoReply); return Task.CompletedTask; },
            r => r.Camera.PowerCycles > r.Cycles && r.Camera.LastRecalledPreset == 1,
            async r =>
            {
                // What a technician on site does: the camera's mains off and on, and its preset recalled.
                r.Camera.SetMains(false);
                r.Camera.SetMains(true);
                await using var camera = new EdgeAgent.Hardware.Cameras.ViscaIpCamera("cam1", new EdgeAgent.Hardware.Transport.UdpDatagramTransport("127.0.0.1", r.Camera.Port),
                    new EdgeAgent.Hardware.Cameras.ViscaIpCameraSettings(), TimeProvider.System, NullLogger<EdgeAgent.Hardware.Cameras.ViscaIpCamera>.Instance);
                await camera.RecallPresetAsync(1, CancellationToken.None);
            }),
        // Last: with the playbooks the lesson ends on the backup source.
        new("main camera's stream gone (network camera off)",
            async r =>
            {
                r.Rtsp.Kill();
                // The fault is in place once the picture has stopped (the clock runs from the kill).
                await Until(() => !r.PictureMoving(), TimeSpan.FromSeconds(15), "the picture stopped");
            },
            r => r.PictureMoving(),
            async r =>
            {
                // What a technician does: the camera back on, the stream started again.
                await r.Rtsp.StartAsync();
                await r.Streams.RestartAsync(CancellationToken.None);
            }),
    ];

    public static async Task<List<string>> RunAsync(int windowSeconds)
    {
        var window = TimeSpan.FromSeconds(windowSeconds);
        var with = await MeasureAsync(playbooks: true, window);
        var without = await MeasureAsync(playbooks: false, window);
        var rows = new List<string>();
        for (var i = 0; i < Faults.Length; i++)
        {
            string Show(double? s) => s is { } v ? $"{F(v, 1)} s" : $"not within {windowSeconds} s";
            rows.Add($"| {Faults[i].Name} | {Show(with[i])} | {Show(without[i])} | " +
                (with[i] is { } w ? $"{F(w, 0)} s of the lesson, against the rest of it" : "the rest of it either way") + " |");
        }
        return rows;
    }

    /// <summary>The seconds each fault class lasted in one live lesson (null: not over within the window).</summary>
    private static async Task<double?[]> MeasureAsync(bool playbooks, TimeSpan window)
    {
        var dir = Path.Combine(Path.GetTempPath(), "edgeagent-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var room = await Room.StartAsync(dir, playbooks);
        try
        {
            await room.Runner.StartManualAsync("bench");
            await Until(() => room.Runner.IsStreaming && room.Camera.LastRecalledPreset == 1 && !room.Mic.Muted && room.Display.Input == "31", TimeSpan.FromSeconds(60), "the lesson live");
            var results = new double?[Faults.Length];
            for (var i = 0; i < Faults.Length; i++)
            {
                // A little after a poll, so that every fault waits on average half an interval to be seen.
                await Task.Delay(TimeSpan.FromMilliseconds(700));
                var clock = Stopwatch.StartNew();
                await Faults[i].Inject(room);
                await Task.Delay(50); // the fault is in place before it is judged
                while (clock.Elapsed < window && !Faults[i].Recovered(room)) await Task.Delay(50);
                results[i] = Faults[i].Recovered(room) ? clock.Elapsed.TotalSeconds : null;
                Console.Error.WriteLine($"[bench] playbooks {(playbooks ? "on" : "off")}: {Faults[i].Name}: {(results[i] is { } r ? $"{r:F1} s" : "not over")}");
                if (results[i] is null) await Faults[i].PutRight(room);
                await Until(() => Faults[i].Recovered(room), TimeSpan.FromSeconds(30), $"{Faults[i].Name} put right");
                // Every playbook at rest before the next fault.
                await Task.Delay(TimeSpan.FromSeconds(3));
            }
            await room.Runner.StopManualAsync("bench");
            return results;
        }
        finally
        {
            await room.DisposeAsync();
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task Until(Func<bool> condition, TimeSpan limit, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > limit) throw new TimeoutException($"the room did not settle: {what}");
            await Task.Delay(50);
        }
    }

    /// <summary>A simulated classroom and the agent's parts that act on it (as the agent wires them), on the real clock.</summary>
    private sealed class Room : IAsyncDisposable
    {
        public ViscaCameraSimulator Camera { get; } = new(name: "cam1");
        public PjLinkDisplaySimulator Display { get; } = new(pjLinkClass: 2) { WarmupTime = TimeSpan.FromMilliseconds(500), CooldownTime = TimeSpan.FromMilliseconds(500) };
        public MicArraySimulator Mic { get; } = new();
        public RtspCameraSimulator Rtsp { get; private set; } = null!;
        public int Cycles { get; set; }
        private (long Frames, DateTime At) _seen = (-1, DateTime.MinValue);
        private bool _moving;

        public StreamService Streams => _streams;

        /// <summary>Whether the lesson stream's encoder has encoded new frames within the last 1.5 s (it reports once a second).</summary>
        public bool PictureMoving()
        {
            var frames = _streams.Current?.Stats is { State: StreamState.Running } s ? s.Frames : -1;
            var now = DateTime.UtcNow;
            if (now - _seen.At >= TimeSpan.FromSeconds(1.5))
            {
                _moving = frames >= 0 && frames > _seen.Frames;
                _seen = (frames, now);
            }
            return _moving;
        }
        public LessonRunner Runner { get; private set; } = null!;
        private DeviceRegistry _devices = null!;
        private StreamService _streams = null!;
        private DeviceHealthPoller _poller = null!;
        private Healer _healer = null!;
        private readonly CancellationTokenSource _run = new();

        public static async Task<Room> StartAsync(string dir, bool playbooks)
        {
            var room = new Room();
            room.Camera.StorePreset(1, 100, 20, 0x1000);
            room.Rtsp = await RtspCameraSimulator.StartAsync();
            JsonObject Device(string id, string kind, string protocol, int port) => new()
            {
                ["id"] = id, ["kind"] = kind, ["protocol"] = protocol, ["host"] = "127.0.0.1", ["port"] = port,
            };
            var cam = Device("cam1", "camera", "visca-ip", room.Camera.Port);
            cam["presets"] = new JsonObject { ["teacher"] = 1 };
            var display = Device("display1", "display", "pjlink", room.Display.Port);
            display["lessonInput"] = "31";
            var config = new JsonObject
            {
                ["region"] = "zj-bench", ["school"] = "bench-school", ["room"] = "room-1", ["role"] = "main",
                ["broker"] = new JsonObject { ["host"] = "127.0.0.1", ["port"] = 1883 },
                ["devices"] = new JsonArray(cam, display, Device("mic1", "mic-array", "command-string", room.Mic.Port)),
                ["devicePollSeconds"] = 2,
                ["gpio"] = new JsonObject { ["chip"] = 0, ["powerRelays"] = new JsonObject { ["cam1"] = new JsonObject { ["pin"] = MainsPin, ["activeLow"] = true } } },
                ["stream"] = new JsonObject { ["videoSource"] = "rtsp", ["videoInput"] = room.Rtsp.Url, ["backupVideoSource"] = "test", ["audioSource"] = "test", ["width"] = 320, ["height"] = 180, ["videoBitrateKbps"] = 300, ["audioBitrateKbps"] = 64 },
                ["recording"] = new JsonObject { ["directory"] = Path.Combine(dir, "recordings") },
                ["playbooks"] = new JsonObject { ["enabled"] = playbooks },
                ["stateDirectory"] = Path.Combine(dir, "state"), ["logsDirectory"] = Path.Combine(dir, "logs"),
            };
            var loaded = ConfigLoader.Parse(config.ToJsonString(), EdgeAgent.Service.AgentServices.ConfigRules);
            if (!loaded.Ok) throw new InvalidOperationException(string.Join("; ", loaded.Errors));
            var options = loaded.Options!;
            var time = TimeProvider.System;
            var gpio = new SimulatedGpioDriver();
            MainsRelay.Wire(gpio, MainsPin, activeLow: true, room.Camera.SetMains);
            var database = new StateDatabase(options.StateDirectory, NullLogger<StateDatabase>.Instance);
            database.Migrate();
            var outbox = new Outbox(database, 10_000, time, NullLogger<Outbox>.Instance);
            var events = new EventSink(outbox, new EdgeAgent.Contract.Topics.RoomTopics(options.Address), time);
            room._devices = new DeviceRegistry(options, NullLoggerFactory.Instance, time, gpio);
            room._streams = new StreamService(options, time, NullLoggerFactory.Instance, events, database);
            var store = new LessonStore(database, time, outbox, new EdgeAgent.Contract.Topics.RoomTopics(options.Address));
            var bookings = new BookingSource(options, store, events, NullLogger<BookingSource>.Instance);
            var records = new LessonRecords(options, bookings);
            var reporter = new LessonReporter(store, events, new Kernel.LiveBoard(), records, time, NullLogger<LessonReporter>.Instance);
            var playback = new PlaybackService(options, time, NullLoggerFactory.Instance, events);
            var executor = new LessonExecutor(new RoomControl(room._devices, NullLogger<RoomControl>.Instance, options.Playback), new RoomMedia(room._streams, playback),
                records, reporter, time, NullLogger<LessonExecutor>.Instance);
            room.Runner = new LessonRunner(new LessonPlanner(options, bookings, store, records), executor, reporter, time, NullLogger<LessonRunner>.Instance);
            room._poller = new DeviceHealthPoller(room._devices, new Kernel.MainLoops(time), time, NullLogger<DeviceHealthPoller>.Instance);
            room._healer = new Healer(new PlaybookSource(options, database, time, NullLogger<PlaybookSource>.Instance, events), room._devices, room._poller, room.Runner,
                room._streams, events, options, time, NullLogger<Healer>.Instance);
            await room.Runner.StartAsync(room._run.Token);
            await room._poller.StartAsync(room._run.Token);
            await room._healer.StartAsync(room._run.Token);
            return room;
        }

        public async ValueTask DisposeAsync()
        {
            await _healer.StopAsync(CancellationToken.None);
            await _poller.StopAsync(CancellationToken.None);
            await Runner.StopAsync(CancellationToken.None);
            await _streams.StopAsync(CancellationToken.None);
            await _devices.DisposeAsync();
            Runner.Dispose();
            _streams.Dispose();
            _healer.Dispose();
            _poller.Dispose();
            _run.Dispose();
            await Camera.DisposeAsync();
            await Display.DisposeAsync();
            await Mic.DisposeAsync();
            Rtsp.Dispose();
        }
    }
}
