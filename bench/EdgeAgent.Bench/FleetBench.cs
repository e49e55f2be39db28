using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeAgent.Client.Broker;
using EdgeAgent.Configuration;
using EdgeAgent.Contract.Vocabulary;
using EdgeAgent.Devices;
using EdgeAgent.Diagnostics;
using EdgeAgent.Contract.Commands;
using EdgeAgent.Contract.Topics;
using EdgeAgent.Kernel;
using EdgeAgent.State;
using EdgeAgent.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;

namespace EdgeAgent.Bench;

/// <summary>
/// Many rooms against one mosquitto: each room is the agent's own telemetry component (MqttLink with its SQLite
/// outbox, health reporter, command router with <c>ping</c>), many per process, wired as the agent wires them but
/// without devices (their health document carries host vitals only). Measures: time until every birth is retained,
/// delivery rate of a burst of lesson records and records lost, memory per room, and the reconnect storm after a
/// broker restart (connects per second, time until all are back).
/// </summary>
public static class FleetBench
{
    private sealed record Room(ServiceProvider Services, MqttLink Link, Outbox Outbox, RoomTopics Topics);

    public static async Task<IReadOnlyList<string>> RunAsync(int rooms, int recordsPerRoom)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"edgeagent-fleet-{Environment.ProcessId}-{rooms}");
        Directory.CreateDirectory(dir);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(dir, (UnixFileMode)0b111_111_111);
        var port = BenchProcesses.FreeTcpPort();
        var conf = Path.Combine(dir, "mosquitto.conf");
        File.WriteAllText(conf, $"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest none\nmax_queued_messages 0\nset_tcp_nodelay true\n");
        var broker = BenchProcesses.Start("/usr/sbin/mosquitto", ["-c", conf]);
        var all = new List<Room>();
        try
        {
            await BenchProcesses.WaitForPortAsync(port);
            // The office side: who is online (retained births) and the lesson records, as a collector would see them.
            var births = new ConcurrentDictionary<string, bool>();
            var records = new ConcurrentDictionary<string, bool>();
            var lastRecord = Stopwatch.StartNew();
            using var office = new MqttClientFactory().CreateMqttClient();
            office.ApplicationMessageReceivedAsync += e =>
            {
                var topic = e.ApplicationMessage.Topic;
                if (topic.EndsWith("/state", StringComparison.Ordinal))
                {
                    var online = JsonNode.Parse(e.ApplicationMessage.Payload.ToArray())?["online"]?.GetValue<bool>() == true;
                    births[topic] = online;
                }
                else if (topic.EndsWith("/lessons", StringComparison.Ordinal) && JsonNode.Parse(e.ApplicationMessage.Payload.ToArray())?["id"]?.GetValue<string>() is { } id)
                {
                    records.TryAdd(id, true);
                    lastRecord.Restart();
                }
                return Task.CompletedTask;
            };
            await office.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId("fleet-office").Build());
            await office.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
                .WithTopicFilter(f => f.WithTopic("edu/bench/+/+/edgeagent/state").WithAtLeastOnceQoS())
                .WithTopicFilter(f => f.WithTopic("edu/bench/+/+/edgeagent/lessons").WithAtLeastOnceQoS()).Build());

            GC.Collect();
            GC.WaitForPendingFinalizers();
            var rssBefore = BenchProcesses.Rss(Environment.ProcessId);
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < rooms; i++)
            {
                var room = Build(i, port, Path.Combine(dir, $"room-{i:D5}"));
                all.Add(room);
                await room.Link.StartAsync(CancellationToken.None);
            }
            var started = clock.Elapsed;
            await Until(() => births.Count(b => b.Value) >= rooms, TimeSpan.FromMinutes(5));
            var allBorn = clock.Elapsed;
            await Until(() => all.All(r => r.Link.IsReady), TimeSpan.FromMinutes(2));
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var rssAfter = BenchProcesses.Rss(Environment.ProcessId);

            // A burst: every room finishes its lessons at once.
            var burst = Stopwatch.StartNew();
            foreach (var r in all)
                for (var n = 0; n < recordsPerRoom; n++)
                {
                    var id = $"{r.Topics.Root}#{n}";
                    var payload = JsonSerializer.SerializeToUtf8Bytes(new JsonObject { ["schema"] = "edgeagent.lesson/1", ["id"] = id, ["status"] = "completed", ["form"] = "SyncClassroom" });
                    r.Outbox.Enqueue(OutboxKind.Lesson, r.Topics.Lessons, id, payload);
                }
            var expected = rooms * recordsPerRoom;
            await Until(() => records.Count >= expected || lastRecord.Elapsed > TimeSpan.FromSeconds(30) && burst.Elapsed > TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(5));
            var burstTime = burst.Elapsed - (records.Count >= expected ? TimeSpan.Zero : lastRecord.Elapsed);
            var lost = expected - records.Count;

            // The reconnect storm: the broker restarts; every room comes back with backoff and jitter.
            var connectsBefore = all.Sum(r => r.Link.Connects);
            BenchProcesses.Signal(broker, "TERM");
            await broker.WaitForExitAsync();
            await Until(() => all.All(r => !r.Link.IsConnected), TimeSpan.FromMinutes(2));
            broker = BenchProcesses.Start("/usr/sbin/mosquitto", ["-c", conf]);
            var storm = Stopwatch.StartNew();
            var perSecond = new SortedDictionary<int, int>();
            var seen = connectsBefore;
            while (storm.Elapsed < TimeSpan.FromMinutes(5))
            {
                await Task.Delay(100);
                var now = all.Sum(r => r.Link.Connects);
                var second = (int)storm.Elapsed.TotalSeconds;
                perSecond[second] = perSecond.GetValueOrDefault(second) + (now - seen);
                seen = now;
                if (all.All(r => r.Link.IsReady)) break;
            }
            var allBack = storm.Elapsed;
            var peak = perSecond.Count == 0 ? 0 : perSecond.Values.Max();
            var busySeconds = perSecond.Count(kv => kv.Value > 0);

            await office.DisconnectAsync();
            return
            [
                $"| {rooms} | births retained | {allBorn.TotalSeconds:F1} s (all links started after {started.TotalSeconds:F1} s) |",
                $"| {rooms} | lesson-record burst ({expected} records through the outboxes) | {expected / burstTime.TotalSeconds:F0} msg/s delivered, {burstTime.TotalSeconds:F1} s |",
                $"| {rooms} | records lost | **{lost}** (target 0) |",
                $"| {rooms} | memory per room (process RSS growth / rooms) | {(rssAfter - rssBefore) / (double)rooms / 1024:F0} KB ({rssAfter / 1048576.0:F0} MB for the process) |",
                $"| {rooms} | reconnect storm after a broker restart | peak {peak} connects/s, connects spread over {busySeconds} s, all back after {allBack.TotalSeconds:F1} s |",
            ];
        }
        finally
        {
            foreach (var r in all)
            {
                try { await r.Link.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)); } catch (Exception) { }
                await r.Services.DisposeAsync();
            }
            BenchProcesses.Signal(broker, "KILL");
            await broker.WaitForExitAsync();
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }

    private static Room Build(int i, int port, string dir)
    {
        Directory.CreateDirectory(dir);
        var options = new AgentOptions
        {
            Region = "bench", School = $"school-{i / 10:D4}", Room = $"room-{i:D5}", Role = i % 2 == 0 ? RoomRole.Main : RoomRole.Receiving,
            StateDirectory = dir, LogsDirectory = dir,
            Broker = new BrokerOptions { Host = "127.0.0.1", Port = port, ReconnectMaxSeconds = 30 },
        };
        options.Recording.Directory = dir;
        var services = new ServiceCollection();
        services.AddSingleton(options);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddSingleton(sp =>
        {
            var db = new StateDatabase(dir, NullLogger<StateDatabase>.Instance);
            db.Migrate();
            return db;
        });
        services.AddSingleton<MainLoops>();
        services.AddSingleton<DeviceRegistry>();
        services.AddSingleton<DeviceHealthPoller>();
        services.AddSingleton(new RoomTopics(options.Address));
        services.AddSingleton<Degradation>();
        services.AddSingleton<LiveBoard>();
        services.AddSingleton(sp => new Outbox(sp.GetRequiredService<StateDatabase>(), options.Broker.OutboxMaxEvents, TimeProvider.System, NullLogger<Outbox>.Instance));
        services.AddSingleton<EventSink>();
        services.AddSingleton<HealthReporter>();
        services.AddSingleton<CommandCounters>();
        services.AddSingleton<ICommandHandler, PingHandler>();
        services.AddSingleton<CommandRouter>();
        services.AddSingleton<MqttLink>();
        var provider = services.BuildServiceProvider();
        return new Room(provider, provider.GetRequiredService<MqttLink>(), provider.GetRequiredService<Outbox>(), provider.GetRequiredService<RoomTopics>());
    }

    private static async Task Until(Func<bool> condition, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > limit) throw new TimeoutException($"fleet bench: condition not met within {limit}");
            await Task.Delay(50);
        }
    }
}
