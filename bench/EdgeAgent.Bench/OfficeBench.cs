using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeAgent.Contract.Json;
using EdgeAgent.Contract.Payloads;
using EdgeAgent.Contract.Vocabulary;
using EdgeAgent.Office.Accounts;
using EdgeAgent.Office.Configuration;
using EdgeAgent.Office.Fleet;
using EdgeAgent.Office.Hosting;
using EdgeAgent.Office.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeAgent.Bench;

/// <summary>
/// The office service at a province's scale: 2,000 rooms' retained state, health (four devices) and compliance report
/// on one mosquitto; the office in this process on PostgreSQL (a cluster made by Debian's pg_virtualenv, which the bench
/// script wraps around this run: the PG* variables). Measures the fleet page (server time as a client on loopback sees
/// it, p50/p95 over repeated loads, its size), the live feed (several open fleet pages: every changed room reaches each,
/// none dropped), and the collector storing a burst of 10,000 events into PostgreSQL (rows per second).
/// </summary>
public static class OfficeBench
{
    public static async Task<IReadOnlyList<string>> RunAsync(int rooms, int events, int loads, int pages)
    {
        var pg = Environment.GetEnvironmentVariable("PGHOST") is { } host
            ? $"Host={host};Port={Environment.GetEnvironmentVariable("PGPORT") ?? "5432"};Username={Environment.GetEnvironmentVariable("PGUSER")};Password={Environment.GetEnvironmentVariable("PGPASSWORD")};Database={Environment.GetEnvironmentVariable("PGDATABASE")};Timeout=15"
            : throw new InvalidOperationException("run under pg_virtualenv (scripts/bench.sh office does)");
        var dir = Directory.CreateTempSubdirectory("edgeagent-office-bench-").FullName;
        var port = BenchProcesses.FreeTcpPort();
        var conf = Path.Combine(dir, "mosquitto.conf");
        File.WriteAllText(conf, $"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest none\nmax_queued_messages 0\nmax_inflight_messages 0\nset_tcp_nodelay true\n");
        var broker = BenchProcesses.Start("/usr/sbin/mosquitto", ["-c", conf]);
        try
        {
            await BenchProcesses.WaitForPortAsync(port);
            using var publisher = new MqttClientFactory().CreateMqttClient();
            await publisher.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId("bench-rooms").Build());
            string Root(int i) => $"edu/bench/school-{i / 20:D3}/room-{i % 20:D2}/edgeagent";
            var compliance = ComplianceRules();
            async Task Publish(string topic, byte[] payload, bool retain) =>
                await publisher.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithRetainFlag(retain)
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
            var at = DateTimeOffset.UtcNow;
            for (var i = 0; i < rooms; i++)
            {
                await Publish($"{Root(i)}/state", JsonSerializer.SerializeToUtf8Bytes(new StatePayload(StatePayload.SchemaId, true, "0.1.0", i % 2 == 0 ? RoomRole.Main : RoomRole.Receiving, at), ContractJson.Wire.StatePayload), true);
                await Publish($"{Root(i)}/health", JsonSerializer.SerializeToUtf8Bytes(Health(at, i % 50 == 0 ? "offline" : "online"), ContractJson.Wire.HealthPayload), true);
                var school = $"school-{i / 20:D3}";
                await Publish($"{Root(i)}/compliance", JsonSerializer.SerializeToUtf8Bytes(new ComplianceReport(ComplianceReport.SchemaId, $"c-{i}", "bench", school, $"room-{i % 20:D2}",
                    RoomRole.Main, "bench-policy", "1", at, i % 7 == 0 ? "fail" : "pass", 0, compliance, "schedule"), ContractJson.Wire.ComplianceReport), true);
            }

            await using var store = await OfficeStore.OpenAsync(pg, CancellationToken.None);
            var office = new OfficeOptions
            {
                Broker = new EdgeAgent.Client.Broker.BrokerOptions { Host = "127.0.0.1", Port = port },
                Database = pg, StateDirectory = Path.Combine(dir, "office"), Listen = $"http://127.0.0.1:{BenchProcesses.FreeTcpPort()}",
                Collector = new OfficeOptions.CollectorOptions { Name = "bench" },
            };
            await new Users(store, TimeProvider.System).SetAsync("bench", Roles.Viewer, "bench-password", CancellationToken.None);
            await using var app = OfficeHost.Build(office, store);
            await app.StartAsync();
            var live = app.Services.GetRequiredService<FleetLive>();
            var collector = app.Services.GetRequiredService<CollectorService>().Collector;
            var clock = Stopwatch.StartNew();
            await Until(() => live.Rooms.Count >= rooms && live.Rooms.All(r => r.View.Compliance is not null) && collector.IsSubscribed, TimeSpan.FromMinutes(3));
            var loaded = clock.Elapsed;

            // A signed-in browser's cookie.
            var cookies = new CookieContainer();
            using var http = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = new Uri(office.Listen) };
            var signin = await http.GetStringAsync("/signin");
            var token = System.Text.RegularExpressions.Regex.Match(signin, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
            using (var r = await http.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string> { ["name"] = "bench", ["password"] = "bench-password", ["__RequestVerificationToken"] = token })))
                if (r.StatusCode != HttpStatusCode.Redirect) throw new InvalidOperationException($"sign-in: {r.StatusCode}");

            // The fleet page, loaded again and again (first loads warm the server up and are not counted).
            for (var i = 0; i < 5; i++) await http.GetStringAsync("/");
            var times = new List<double>();
            long size = 0;
            for (var i = 0; i < loads; i++)
            {
                var t = Stopwatch.StartNew();
                var html = await http.GetByteArrayAsync("/");
                times.Add(t.Elapsed.TotalMilliseconds);
                size = html.Length;
            }
            times.Sort();
            double P(double q) => times[Math.Min(times.Count - 1, (int)Math.Ceiling(q * times.Count) - 1)];

            // Open fleet pages (the live feed), then every room changes (a device goes offline) during a burst of events.
            var seen = Enumerable.Range(0, pages).Select(_ => new ConcurrentDictionary<string, bool>()).ToList();
            using var feeds = new CancellationTokenSource();
            var readers = new List<Task>();
            for (var p = 0; p < pages; p++)
            {
                var mine = seen[p];
                var stream = await http.GetStreamAsync("/live", feeds.Token);
                readers.Add(Task.Run(async () =>
                {
                    using var reader = new StreamReader(stream, Encoding.UTF8);
                    try
                    {
                        while (await reader.ReadLineAsync(feeds.Token) is { } line)
                            if (line.StartsWith("data: ", StringComparison.Ordinal) && JsonNode.Parse(line[6..]) is JsonObject u
                                && (string?)u["condition"] == "problem" && u["row"]?.GetValue<string>().Contains("cam2:offline", StringComparison.Ordinal) == true)
                                mine[(string)u["id"]!] = true;
                    }
                    catch (OperationCanceledException)
                    {
                    }
                    catch (IOException)
                    {
                    }
                }));
            }
            await Until(() => app.Services.GetRequiredService<FleetFeed>().Subscribers >= pages, TimeSpan.FromSeconds(30));
            var eventsBefore = await store.CountAsync(OfficeKind.Event, CancellationToken.None);
            var burst = Stopwatch.StartNew();
            var changed = Task.Run(async () =>
            {
                var later = DateTimeOffset.UtcNow;
                for (var i = 0; i < rooms; i++)
                    await Publish($"{Root(i)}/health", JsonSerializer.SerializeToUtf8Bytes(Health(later, "offline"), ContractJson.Wire.HealthPayload), true);
            });
            // Four publishers at once (rooms are many clients): the collector, not one publisher, sets the pace.
            await Task.WhenAll(Enumerable.Range(0, 4).Select(async k =>
            {
                using var client = new MqttClientFactory().CreateMqttClient();
                await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId($"bench-events-{k}").Build());
                for (var n = k; n < events; n += 4)
                {
                    var e = new EventPayload(EventPayload.SchemaId, $"bench-{n}", "device-offline", "warning", DateTimeOffset.UtcNow, "cam2", "bench burst");
                    await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"{Root(n % rooms)}/events")
                        .WithPayload(JsonSerializer.SerializeToUtf8Bytes(e, ContractJson.Wire.EventPayload)).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
                }
                await client.DisconnectAsync();
            }));
            await changed;
            var published = burst.Elapsed;
            await Until(async () => await store.CountAsync(OfficeKind.Event, CancellationToken.None) - eventsBefore >= events, TimeSpan.FromMinutes(5));
            var stored = burst.Elapsed;
            var allRooms = Enumerable.Range(0, rooms).Select(i => Root(i)["edu/".Length..^"/edgeagent".Length]).ToList();
            await Until(() => seen.All(s => s.Count >= rooms), TimeSpan.FromSeconds(60), throwOnTimeout: false);
            var delivered = burst.Elapsed;
            var missing = seen.Select(s => allRooms.Count(r => !s.ContainsKey(r))).ToList();
            await feeds.CancelAsync();
            await Task.WhenAll(readers);
            await app.StopAsync();
            return
            [
                $"| retained documents of {rooms} rooms (state, health with 4 devices, a {compliance.Count}-rule compliance report) at the office | {loaded.TotalSeconds:F1} s | |",
                $"| fleet page, server time as a loopback client sees it ({loads} loads, {rooms} rows) | p50 **{P(0.5):F0} ms**, p95 **{P(0.95):F0} ms** (target ≤ 200 ms) | {size / 1024.0:F0} KiB of HTML |",
                $"| live updates: every room changes once while {pages} fleet pages are open | **{missing.Sum()} dropped** ({string.Join(", ", missing.Select(m => $"{rooms - m}/{rooms}"))} rooms reached each page) | all pages complete {delivered.TotalSeconds:F1} s after the changes began |",
                $"| collector: a burst of {events:N0} events into PostgreSQL (QoS 1, each acknowledged once its row is in) | **{events / (stored.TotalSeconds):F0} rows/s** | published in {published.TotalSeconds:F1} s, all stored after {stored.TotalSeconds:F1} s |",
            ];
        }
        finally
        {
            BenchProcesses.Signal(broker, "TERM");
            await broker.WaitForExitAsync();
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }

    private static HealthPayload Health(DateTimeOffset at, string cam2) => new(HealthPayload.SchemaId, at,
        [
            new DeviceHealthEntry("cam1", "camera", "online", "power on", at, 0, 0),
            new DeviceHealthEntry("cam2", "camera", cam2, cam2 == "online" ? "power on" : "camera did not answer", at, 0, 0),
            new DeviceHealthEntry("display1", "display", "online", "power on", at, 0, 0),
            new DeviceHealthEntry("mic1", "mic-array", "online", "live", at, 0, 0),
        ], new HostVitals(12.5, 40.1, 180, 80_000_000_000, 48.5, 86_400));

    private static IReadOnlyList<RuleResult> ComplianceRules() => Enumerable.Range(0, 15)
        .Select(i => new RuleResult($"RULE-{i}", "规则", "a rule", "metric", "1", "unit", "≥ 1", "pass", "measured by the bench", "the guide")).ToList();

    private static async Task Until(Func<bool> condition, TimeSpan limit, bool throwOnTimeout = true)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > limit)
            {
                if (throwOnTimeout) throw new TimeoutException("the office bench waited too long");
                return;
            }
            await Task.Delay(20);
        }
    }

    private static async Task Until(Func<Task<bool>> condition, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > limit) throw new TimeoutException("the office bench waited too long");
            await Task.Delay(100);
        }
    }
}
