using System.Text.Json;
using EdgeAgent.Contract.Json;
using EdgeAgent.Office.Alerts;
using EdgeAgent.Office.Fleet;
using EdgeAgent.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAgent.Tests.Office;

/// <summary>
/// The alert engine in the office service against a real mosquitto (rooms' retained documents published as agents do),
/// on a fake clock: raised after the rule's minutes, only in school hours when asked, escalated, resolved, suppressed,
/// failed lessons, and notifications sent again after a failure.
/// </summary>
public sealed class AlertEngineTests : IAsyncLifetime
{
    private const string RoomA = "zj-test/test-school/room-a";
    private readonly TempDir _dir = new();
    // Monday 7 December 2026, 09:00 in school time.
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.FromHours(8)));
    private readonly WebhookListener _webhook = new();
    private Mosquitto _broker = null!;
    private OfficeServer _office = null!;
    private TestMqttClient _rooms = null!;

    private AlertEngine Engine => _office.Get<AlertEngine>();

    public async Task InitializeAsync()
    {
        _broker = await Mosquitto.StartAsync(Path.Combine(_dir.Path, "broker"));
        _office = await OfficeServer.StartAsync(Path.Combine(_dir.Path, "office"), _broker.Port, extra: s => s.AddSingleton<TimeProvider>(_time));
        _rooms = await TestMqttClient.ConnectAsync(_broker.Port, "rooms");
        await Engine.ReplaceRulesAsync($$"""
            {
              "schema": "edgeagent.alert-rules/1", "version": "t1",
              "schoolHours": { "days": ["mon", "tue", "wed", "thu", "fri"], "start": "07:00", "end": "18:00" },
              "escalateAfterMinutes": 30,
              "notify": { "webhooks": ["{{_webhook.Url}}"] },
              "rules": [
                { "id": "room-offline", "condition": "room-offline", "severity": "important", "minutes": 10, "schoolHoursOnly": true },
                { "id": "lesson-failed", "condition": "lesson-failed", "severity": "important" }
              ]
            }
            """, "test", CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _rooms.DisposeAsync();
        await _office.DisposeAsync();
        await _broker.DisposeAsync();
        await _webhook.DisposeAsync();
        _dir.Dispose();
    }

    private async Task StateAsync(string room, bool online)
    {
        var state = online ? new StatePayload(StatePayload.SchemaId, true, "0.1.0", RoomRole.Main, _time.GetUtcNow().AddHours(-1)) : StatePayload.Offline();
        await _rooms.PublishAsync($"edu/{room}/edgeagent/state", JsonSerializer.SerializeToUtf8Bytes(state, ContractJson.Wire.StatePayload), retain: true);
        await Eventually.True(() => _office.Get<FleetLive>().Find(room)?.View.Online == online, TimeSpan.FromSeconds(10), $"{room} {(online ? "online" : "offline")} at the office");
    }

    private async Task PassAsync(TimeSpan advance)
    {
        _time.Advance(advance);
        await Engine.EvaluateAsync(CancellationToken.None);
        await _office.Get<Notifier>().SendDueAsync(CancellationToken.None);
    }

    private IReadOnlyList<string> Hooks(string room) =>
        _webhook.Received.Where(h => (string?)h["room"] == room).Select(h => (string)h["event"]!).Distinct().ToList();

    [Fact]
    public async Task A_room_offline_is_raised_after_its_minutes_escalated_when_nobody_acknowledges_and_resolved_when_it_returns()
    {
        await StateAsync(RoomA, true);
        await StateAsync(RoomA, false);
        await PassAsync(TimeSpan.FromMinutes(9));
        Assert.Empty(Engine.Open);
        await PassAsync(TimeSpan.FromMinutes(1));
        var alert = Assert.Single(Engine.Open);
        Assert.Equal(("room-offline", RoomA, "important"), (alert.Rule, alert.Room, alert.Severity));
        Assert.Equal(["raised"], Hooks(RoomA));

        await PassAsync(TimeSpan.FromMinutes(29));
        Assert.Null(Assert.Single(Engine.Open).EscalatedAt);
        await PassAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(_time.GetUtcNow(), Assert.Single(Engine.Open).EscalatedAt);
        Assert.Equal(["raised", "escalated"], Hooks(RoomA));

        await StateAsync(RoomA, true);
        await PassAsync(TimeSpan.FromSeconds(5));
        Assert.Empty(Engine.Open);
        Assert.Equal(["raised", "escalated", "resolved"], Hooks(RoomA));
        var resolved = Assert.Single(await _office.Store.ResolvedAlertsAsync(_time.GetUtcNow().AddDays(-1), 10, CancellationToken.None));
        Assert.Equal("condition cleared", resolved.Resolution);
    }

    [Fact]
    public async Task An_acknowledged_alert_is_not_escalated()
    {
        await StateAsync(RoomA, true);
        await StateAsync(RoomA, false);
        await PassAsync(TimeSpan.FromMinutes(10));
        var alert = Assert.Single(Engine.Open);
        await Engine.AcknowledgeAsync(alert.Id, "tech1", CancellationToken.None);
        await PassAsync(TimeSpan.FromMinutes(45));
        var open = Assert.Single(Engine.Open);
        Assert.Equal(("tech1", (DateTimeOffset?)null), (open.AcknowledgedBy, open.EscalatedAt));
        Assert.Equal(["raised"], Hooks(RoomA));
    }

    [Fact]
    public async Task Nothing_is_raised_out_of_school_hours_for_a_school_hours_rule_nor_while_suppressed()
    {
        _time.SetUtcNow(new DateTimeOffset(2026, 12, 12, 10, 0, 0, TimeSpan.FromHours(8))); // a Saturday
        await StateAsync(RoomA, true);
        await StateAsync(RoomA, false);
        await PassAsync(TimeSpan.FromMinutes(30));
        Assert.Empty(Engine.Open);
        // Monday 07:00: school hours, and the room has been offline all along.
        await PassAsync(new DateTimeOffset(2026, 12, 14, 7, 0, 0, TimeSpan.FromHours(8)) - _time.GetUtcNow());
        Assert.Equal(RoomA, Assert.Single(Engine.Open).Room);

        // Suppressed for two hours by a technician: resolved now, not raised again until the suppression ends.
        await Engine.SuppressAsync(RoomA, "room-offline", _time.GetUtcNow().AddHours(2), "tech1", CancellationToken.None);
        Assert.Empty(Engine.Open);
        await PassAsync(TimeSpan.FromMinutes(119));
        Assert.Empty(Engine.Open);
        await PassAsync(TimeSpan.FromMinutes(2));
        Assert.Single(Engine.Open);
    }

    [Fact]
    public async Task A_failed_lesson_is_an_alert_until_acknowledged()
    {
        var record = CollectorTests.Record("room-1", 3, status: LessonStatus.Failed);
        await _rooms.PublishAsync("edu/zj-test/test-school/room-1/edgeagent/lessons", JsonSerializer.SerializeToUtf8Bytes(record, ContractJson.Wire.LessonRecord));
        var completed = CollectorTests.Record("room-1", 4);
        await _rooms.PublishAsync("edu/zj-test/test-school/room-1/edgeagent/lessons", JsonSerializer.SerializeToUtf8Bytes(completed, ContractJson.Wire.LessonRecord));
        await Eventually.True(() => Engine.Open.Any(a => a.Subject == record.Id), TimeSpan.FromSeconds(10), "the failed lesson's alert");
        await Eventually.True(() => _office.Get<EdgeAgent.Office.Hosting.CollectorService>().Collector.Stored == 2, TimeSpan.FromSeconds(10), "both records stored");
        var alert = Assert.Single(Engine.Open);
        Assert.Equal("lesson-failed", alert.Rule);
        Assert.Contains("failed", alert.Detail);
        await PassAsync(TimeSpan.FromMinutes(5)); // a lesson that happened does not resolve by itself
        Assert.Single(Engine.Open);
        await Engine.AcknowledgeAsync(alert.Id, "tech1", CancellationToken.None);
        Assert.Empty(Engine.Open);
    }

    [Fact]
    public async Task A_notification_the_receiver_refuses_is_kept_and_sent_later()
    {
        _webhook.Failing = true;
        await StateAsync(RoomA, true);
        await StateAsync(RoomA, false);
        await PassAsync(TimeSpan.FromMinutes(10));
        Assert.Single(Engine.Open);
        Assert.Equal(1, await _office.Store.PendingNotificationsAsync(CancellationToken.None));
        Assert.True(_office.Get<Notifier>().Failed >= 1);

        _webhook.Failing = false;
        await _office.Get<Notifier>().SendDueAsync(CancellationToken.None); // not due again yet
        Assert.Empty(Hooks(RoomA));
        await PassAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(["raised"], Hooks(RoomA));
        Assert.Equal(0, await _office.Store.PendingNotificationsAsync(CancellationToken.None));
    }
}

/// <summary>What a room has booked ahead, asked by the office (its <c>lessons</c> command, answered here as a room would), in the alerts.</summary>
public sealed class LessonsAheadAlertTests : IAsyncLifetime
{
    private const string Room = "zj-test/test-school/room-a";
    private readonly TempDir _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.FromHours(8)));
    private Mosquitto _broker = null!;
    private OfficeServer _office = null!;
    private TestMqttClient _room = null!;
    private int _asked;

    public async Task InitializeAsync()
    {
        _broker = await Mosquitto.StartAsync(Path.Combine(_dir.Path, "broker"));
        _office = await OfficeServer.StartAsync(Path.Combine(_dir.Path, "office"), _broker.Port, extra: s => s.AddSingleton<TimeProvider>(_time));
        _room = await TestMqttClient.ConnectAsync(_broker.Port, "room-a");
        // The room answers `lessons` as the agent does (LessonsView.Planned): one lesson preparing now, starting in 5 minutes, clashing.
        var now = _time.GetUtcNow(); // the booking is fixed: it prepares a minute ago, starts in 5 minutes, ends in 45
        _room.Client.ApplicationMessageReceivedAsync += async e =>
        {
            if (!e.ApplicationMessage.Topic.EndsWith("/cmd/lessons", StringComparison.Ordinal)) return;
            Interlocked.Increment(ref _asked);
            var lesson = new System.Text.Json.Nodes.JsonObject
            {
                ["booking"] = "maths-1", ["subject"] = "maths", ["partnerSchool"] = "village-ps", ["clash"] = true, ["note"] = "no shared window",
                ["prepareAt"] = EdgeAgent.Contract.Time.SchoolTime.Of(now.AddMinutes(-1)).ToString("O"), ["start"] = EdgeAgent.Contract.Time.SchoolTime.Of(now.AddMinutes(5)).ToString("O"),
                ["end"] = EdgeAgent.Contract.Time.SchoolTime.Of(now.AddMinutes(45)).ToString("O"),
            };
            var reply = ReplyPayload.Success(null, new System.Text.Json.Nodes.JsonObject { ["upcoming"] = new System.Text.Json.Nodes.JsonArray(lesson) });
            await _room.PublishAsync(e.ApplicationMessage.ResponseTopic!, JsonSerializer.SerializeToUtf8Bytes(reply, ContractJson.Wire.ReplyPayload), correlation: e.ApplicationMessage.CorrelationData);
        };
        await _room.SubscribeAsync($"edu/{Room}/edgeagent/cmd/lessons");
        await _office.Get<AlertEngine>().ReplaceRulesAsync("""
            {
              "schema": "edgeagent.alert-rules/1", "version": "ahead",
              "schoolHours": { "days": ["mon", "tue", "wed", "thu", "fri"], "start": "07:00", "end": "18:00" },
              "rules": [
                { "id": "device-offline-lesson", "condition": "device-offline", "severity": "important", "minutes": 0, "duringLessonOnly": true },
                { "id": "clash-ahead", "condition": "clash-ahead", "severity": "warning" }
              ]
            }
            """, "test", CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _room.DisposeAsync();
        await _office.DisposeAsync();
        await _broker.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task A_clash_ahead_and_a_device_offline_in_the_prepare_window_are_alerts()
    {
        var at = _time.GetUtcNow();
        await _room.PublishAsync($"edu/{Room}/edgeagent/state", JsonSerializer.SerializeToUtf8Bytes(new StatePayload(StatePayload.SchemaId, true, "0.1.0", RoomRole.Main, at), ContractJson.Wire.StatePayload), retain: true);
        var health = new HealthPayload(HealthPayload.SchemaId, at, [new DeviceHealthEntry("cam2", "camera", "offline", "camera did not answer", at.AddMinutes(-2), 3, 3)],
            new HostVitals(1, 1, 1, 80_000_000_000, null, 1));
        await _room.PublishAsync($"edu/{Room}/edgeagent/health", JsonSerializer.SerializeToUtf8Bytes(health, ContractJson.Wire.HealthPayload), retain: true);
        var live = _office.Get<FleetLive>();
        await Eventually.True(() => live.Find(Room)?.View.Health is not null && live.Find(Room)?.View.Online == true, TimeSpan.FromSeconds(10), "the room at the office");

        var engine = _office.Get<AlertEngine>();
        await engine.EvaluateAsync(CancellationToken.None);
        Assert.Empty(engine.Open); // no lesson running, and nothing known of lessons ahead yet

        await _office.Get<LessonsAhead>().RefreshAsync(CancellationToken.None);
        Assert.True(_asked >= 1);
        var next = live.Find(Room)!.Ahead!.Next(_time.GetUtcNow())!;
        Assert.Equal(("maths-1", true), (next.Booking, next.Clash));
        Assert.Contains("冲突 CLASH (no shared window)", EdgeAgent.Office.Console.FleetHtml.Next(live.Find(Room)!, _time.GetUtcNow()));

        await engine.EvaluateAsync(CancellationToken.None);
        var open = engine.Open;
        Assert.Contains(open, a => a.Rule == "clash-ahead" && a.Subject == "maths-1" && a.Detail.Contains("village-ps", StringComparison.Ordinal));
        Assert.Contains(open, a => a.Rule == "device-offline-lesson" && a.Subject == "cam2" && a.Detail.Contains("课前准备中", StringComparison.Ordinal));

        // The lesson over (no longer preparing, not running): the device alert resolves; asked again later, the clash is gone too.
        _time.Advance(TimeSpan.FromMinutes(50));
        await engine.EvaluateAsync(CancellationToken.None);
        Assert.DoesNotContain(engine.Open, a => a.Rule == "device-offline-lesson");
        Assert.DoesNotContain(engine.Open, a => a.Rule == "clash-ahead");
    }
}

public sealed class AlertRulesTests
{
    [Fact]
    public void The_default_rules_read()
    {
        var rules = AlertRules.Default;
        Assert.Equal(AlertConditions.All.OrderBy(c => c), rules.Rules.Select(r => r.Condition).Distinct().OrderBy(c => c));
        Assert.Equal(20, rules.Rules.Single(r => r.Condition == AlertConditions.DiskLow).ThresholdGb);
    }

    public static TheoryData<string, string, string> Broken => new()
    {
        { "\"schema\": \"edgeagent.alert-rules/1\"", "\"schema\": \"x/1\"", "schema:" },
        { "\"minutes\": 10", "\"minutes\": -1", "rules[0].minutes:" },
        { "\"condition\": \"room-offline\"", "\"condition\": \"room-on-fire\"", "rules[0].condition:" },
        { "\"severity\": \"important\", \"minutes\": 10", "\"severity\": \"critical\", \"minutes\": 10", "rules[0].severity:" },
        { "\"start\": \"07:00\"", "\"start\": \"7am\"", "schoolHours.start:" },
        { "\"days\": [\"mon\"", "\"days\": [\"monday\"", "schoolHours.days[0]:" },
        { "\"webhooks\": []", "\"webhooks\": [\"ftp://x\"]", "notify.webhooks[0]:" },
        { "\"email\": []", "\"email\": [\"not a mail\"]", "notify.email[0]:" },
        { "\"thresholdGb\": 20", "\"thresholdGb\": 0", "rules[5].thresholdGb:" },
        { "\"escalateAfterMinutes\": 30", "\"escalateAfterMinutes\": 30, \"colour\": \"red\"", "colour: unknown field" },
        { "{ \"id\": \"lesson-failed\"", "{ \"id\": \"room-offline\"", "rules[3].id: 'room-offline' is used twice" },
    };

    [Theory]
    [MemberData(nameof(Broken))]
    public void A_broken_document_is_refused_naming_the_field(string from, string to, string expected)
    {
        var json = AlertRules.DefaultJson.Replace(from, to, StringComparison.Ordinal);
        Assert.NotEqual(AlertRules.DefaultJson, json);
        var e = Assert.Throws<FormatException>(() => AlertRules.Parse(json));
        Assert.StartsWith(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Webhook_tokens_are_not_shown_to_those_who_cannot_edit()
    {
        var json = AlertRules.DefaultJson.Replace("\"webhooks\": []", "\"webhooks\": [\"https://hooks.example/a/b?token=XYZ\"]", StringComparison.Ordinal);
        var shown = AlertRules.Redacted(json);
        Assert.DoesNotContain("XYZ", shown);
        Assert.Contains("https://hooks.example/a/b (…)", shown);
    }
}
