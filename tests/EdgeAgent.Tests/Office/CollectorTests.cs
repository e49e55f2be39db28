using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeAgent.Office.Collecting;
using EdgeAgent.Office.Reports;
using EdgeAgent.Office.Store;
using EdgeAgent.Lessons;
using EdgeAgent.Telemetry;
using EdgeAgent.Tests.TestSupport;

namespace EdgeAgent.Tests.Office;

/// <summary>The office collector against a real mosquitto and three agents' telemetry (in-process agents, lesson records through their outboxes).</summary>
public sealed class CollectorTests : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private Mosquitto _broker = null!;
    private readonly List<InProcessAgent> _agents = [];

    public async Task InitializeAsync()
    {
        _broker = await Mosquitto.StartAsync(Path.Combine(_dir.Path, "broker"));
        for (var i = 1; i <= 3; i++)
        {
            var config = TestConfig.Minimal(Path.Combine(_dir.Path, $"room{i}"));
            config["room"] = $"room-{i}";
            config["broker"] = new JsonObject { ["host"] = "127.0.0.1", ["port"] = _broker.Port, ["reconnectMaxSeconds"] = 2 };
            _agents.Add(await InProcessAgent.StartAsync(config));
        }
        foreach (var agent in _agents) await Eventually.True(() => agent.Get<MqttLink>().IsReady, TimeSpan.FromSeconds(30), "the agents to connect");
    }

    public async Task DisposeAsync()
    {
        foreach (var agent in _agents) await agent.DisposeAsync();
        await _broker.DisposeAsync();
        _dir.Dispose();
    }

    /// <summary>A lesson record as the agent makes it, through the agent's own outbox onto <c>lessons</c>.</summary>
    internal static LessonRecord Record(string room, int n, RoomRole role = RoomRole.Main, string status = LessonStatus.Completed, string form = LessonForms.SyncClassroom,
        string subject = "maths", string? partner = "partner-ps", string? teacher = "Teacher A", int students = 40, DateTimeOffset? start = null)
    {
        var s = start ?? new DateTimeOffset(2022, 10, 10, 8, 30, 0, TimeSpan.FromHours(8)).AddDays(n);
        return new LessonRecord(LessonRecord.SchemaId, $"zj-test.test-school.{room}.b{n}", $"b{n}", "zj-test", "test-school", room, role, status, null, form, subject,
            partner, "room-9", teacher, "3-1", students, "1", s, s.AddMinutes(40), s, s.AddMinutes(40),
            new LessonStreamHealth(2400, 100, 0, 0, 0, 0, 1_000_000, 1_000_000), [], [], "timetable");
    }

    /// <summary>Lesson records <paramref name="from"/>..<paramref name="to"/> of every room, queued in each agent's own outbox.</summary>
    internal static void Queue(IEnumerable<InProcessAgent> agents, int from, int to)
    {
        for (var n = from; n < to; n++)
            foreach (var agent in agents)
            {
                var record = Record(agent.Get<EdgeAgent.Configuration.AgentOptions>().Room, n);
                agent.Get<Outbox>().Enqueue(OutboxKind.Lesson, agent.Get<RoomTopics>().Lessons, record.Id, JsonSerializer.SerializeToUtf8Bytes(record, EdgeAgent.Contract.Json.ContractJson.Wire.LessonRecord));
            }
    }

    private void Publish(int from, int to) => Queue(_agents, from, to);

    private Task AllSent() => Eventually.True(() => _agents.All(a => a.Get<Outbox>().Count == 0), TimeSpan.FromSeconds(60), "the agents' outboxes to empty");

    private sealed class Run(Collector collector, CancellationTokenSource stop, Task task)
    {
        public Collector Collector { get; } = collector;

        public async Task StopAsync()
        {
            await stop.CancelAsync();
            await task;
            stop.Dispose();
        }
    }

    private async Task<Run> StartCollector(OfficeStore store)
    {
        var collector = new Collector(new EdgeAgent.Client.Broker.BrokerOptions { Host = "127.0.0.1", Port = _broker.Port }, store, "office1", null,
            TextWriter.Null, TimeProvider.System);
        var stop = new CancellationTokenSource();
        var task = Task.Run(() => collector.RunAsync(stop.Token));
        await Eventually.True(() => collector.IsSubscribed, TimeSpan.FromSeconds(30), "the collector to subscribe");
        return new Run(collector, stop, task);
    }

    [Fact]
    public async Task Every_record_is_stored_once_across_collector_and_broker_restarts()
    {
        await using var store = await OfficeStore.OpenAsync(Path.Combine(_dir.Path, "office.db"), CancellationToken.None);
        var run = await StartCollector(store);
        Publish(0, 10);
        await AllSent();
        await run.StopAsync(); // restart 1: records published meanwhile wait in its session at the broker
        Publish(10, 20);
        await AllSent();
        run = await StartCollector(store);
        Publish(20, 30);
        await AllSent();
        await _broker.StopAsync(); // the broker restarts: agents hold records in their outboxes, the broker its sessions on disk
        Publish(30, 35);
        await _broker.StartAsync();
        await AllSent();
        await run.StopAsync(); // restart 2
        Publish(35, 40);
        await AllSent();
        run = await StartCollector(store);
        await Eventually.True(async () => await store.CountAsync(OfficeKind.Lesson, CancellationToken.None) >= 120, TimeSpan.FromSeconds(60), "120 records");
        Assert.Equal(120, await store.CountAsync(OfficeKind.Lesson, CancellationToken.None));
        Assert.Equal(0, run.Collector.Rejected);
        await run.StopAsync();
    }

    [Fact]
    public async Task A_malformed_document_is_counted_and_does_not_block_the_rest()
    {
        await using var store = await OfficeStore.OpenAsync(Path.Combine(_dir.Path, "office.db"), CancellationToken.None);
        var run = await StartCollector(store);
        await using var rogue = await TestMqttClient.ConnectAsync(_broker.Port, "rogue");
        await rogue.PublishAsync("edu/zj-test/test-school/room-1/edgeagent/lessons", "not json"u8.ToArray());
        await rogue.PublishAsync("edu/zj-test/test-school/room-1/edgeagent/lessons", JsonNode.Parse("""{"schema":"edgeagent.lesson/1"}""")!);
        Publish(0, 1);
        await Eventually.True(async () => await store.CountAsync(OfficeKind.Lesson, CancellationToken.None) == 3, TimeSpan.FromSeconds(30), "the good records");
        await Eventually.True(() => run.Collector.Rejected == 2, TimeSpan.FromSeconds(10), "two rejected");
        await run.StopAsync();
    }
}

/// <summary>Two collectors sharing one MQTT 5 subscription ($share/office/...) and one real PostgreSQL.</summary>
public sealed class SharedCollectorTests : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private Mosquitto _broker = null!;
    private PostgresServer _postgres = null!;
    private readonly List<InProcessAgent> _agents = [];

    public async Task InitializeAsync()
    {
        _postgres = await PostgresServer.CreateAsync();
        _broker = await Mosquitto.StartAsync(Path.Combine(_dir.Path, "broker"));
        for (var i = 1; i <= 3; i++)
        {
            var config = TestConfig.Minimal(Path.Combine(_dir.Path, $"room{i}"));
            config["room"] = $"room-{i}";
            config["broker"] = new JsonObject { ["host"] = "127.0.0.1", ["port"] = _broker.Port };
            _agents.Add(await InProcessAgent.StartAsync(config));
        }
        foreach (var agent in _agents) await Eventually.True(() => agent.Get<MqttLink>().IsReady, TimeSpan.FromSeconds(30), "the agents to connect");
    }

    public async Task DisposeAsync()
    {
        foreach (var agent in _agents) await agent.DisposeAsync();
        await _broker.DisposeAsync();
        await _postgres.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task Each_record_is_stored_once_in_total_and_the_load_is_shared()
    {
        var broker = new EdgeAgent.Client.Broker.BrokerOptions { Host = "127.0.0.1", Port = _broker.Port };
        await using var storeA = await OfficeStore.OpenAsync(_postgres.ConnectionString(), CancellationToken.None);
        await using var storeB = await OfficeStore.OpenAsync(_postgres.ConnectionString(), CancellationToken.None);
        Assert.True(storeA.IsPostgres);
        var a = new Collector(broker, storeA, "office-a", "office", TextWriter.Null, TimeProvider.System);
        var b = new Collector(broker, storeB, "office-b", "office", TextWriter.Null, TimeProvider.System);
        using var stop = new CancellationTokenSource();
        var runs = new[] { Task.Run(() => a.RunAsync(stop.Token)), Task.Run(() => b.RunAsync(stop.Token)) };
        await Eventually.True(() => a.IsSubscribed && b.IsSubscribed, TimeSpan.FromSeconds(30), "both collectors to subscribe");
        CollectorTests.Queue(_agents, 0, 40);
        await Eventually.True(async () => await storeA.CountAsync(OfficeKind.Lesson, CancellationToken.None) >= 120, TimeSpan.FromSeconds(60), "120 records in PostgreSQL");
        await stop.CancelAsync();
        await Task.WhenAll(runs);
        Assert.Equal(120, await storeB.CountAsync(OfficeKind.Lesson, CancellationToken.None));
        Assert.Equal(120, a.Stored + b.Stored);
        Assert.Equal(0, a.Duplicates + b.Duplicates); // the broker gave each record to one of them
        Assert.True(a.Stored > 0 && b.Stored > 0, $"a stored {a.Stored}, b {b.Stored}");
    }

    [Fact]
    public async Task A_database_restart_loses_nothing()
    {
        var broker = new EdgeAgent.Client.Broker.BrokerOptions { Host = "127.0.0.1", Port = _broker.Port };
        await using var store = await OfficeStore.OpenAsync(_postgres.ConnectionString(), CancellationToken.None);
        var collector = new Collector(broker, store, "office-db-restart", null, TextWriter.Null, TimeProvider.System);
        using var stop = new CancellationTokenSource();
        var run = Task.Run(() => collector.RunAsync(stop.Token));
        await Eventually.True(() => collector.IsSubscribed, TimeSpan.FromSeconds(30), "the collector to subscribe");
        void Publish(int from, int to) => CollectorTests.Queue(_agents, from, to);
        Publish(0, 10);
        await Eventually.True(async () => await store.CountAsync(OfficeKind.Lesson, CancellationToken.None) == 30, TimeSpan.FromSeconds(30), "the first 30 records");
        await _postgres.StopAsync();
        Publish(10, 20); // the collector receives them and cannot store them: it holds the acknowledgements
        await Eventually.True(() => _agents.All(a => a.Get<Outbox>().Count == 0), TimeSpan.FromSeconds(30), "the agents to hand them to the broker");
        await _postgres.StartAsync();
        await Eventually.True(async () => await store.CountAsync(OfficeKind.Lesson, CancellationToken.None) >= 60, TimeSpan.FromSeconds(60), "all 60 records after the restart");
        await stop.CancelAsync();
        await run;
        Assert.Equal(60, await store.CountAsync(OfficeKind.Lesson, CancellationToken.None));
    }
}
