using System.Net;
using System.Text.Json.Nodes;
using EdgeAgent.Telemetry;
using EdgeAgent.Tests.TestSupport;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace EdgeAgent.Tests.Office;

/// <summary>
/// Two rooms run by real agents (in-process, each with its simulated classroom) on a real mosquitto, the office service on
/// a free port, and Debian's Chromium through Playwright: what a technician and a county office see and may do.
/// </summary>
public sealed class ConsoleFixture : IAsyncLifetime
{
    public const string Room1 = "zj-test/test-school/room-1", Room2 = "zj-test/test-school/room-2", Room3 = "zj-test/test-school/room-3";
    private readonly TempDir _dir = new();
    public SimulatedClassroom Classroom1 { get; } = new();
    public SimulatedClassroom Classroom2 { get; } = new();
    public SimulatedClassroom Classroom3 { get; } = new();
    public WebhookListener Webhook { get; } = new();
    public MailSink Mail { get; private set; } = null!;
    public Mosquitto Broker { get; private set; } = null!;
    public OfficeServer Office { get; private set; } = null!;
    public Browser Browser { get; private set; } = null!;
    private readonly List<InProcessAgent> _agents = [];

    public async Task InitializeAsync()
    {
        Broker = await Mosquitto.StartAsync(Path.Combine(_dir.Path, "broker"));
        Mail = await MailSink.StartAsync(Path.Combine(_dir.Path, "mail"));
        foreach (var (room, classroom) in new[] { ("room-1", Classroom1), ("room-2", Classroom2), ("room-3", Classroom3) })
        {
            var config = TestConfig.Minimal(Path.Combine(_dir.Path, room));
            config["room"] = room;
            config["broker"] = new JsonObject { ["host"] = "127.0.0.1", ["port"] = Broker.Port, ["heartbeatSeconds"] = 5, ["reconnectMaxSeconds"] = 2 };
            config["devices"] = classroom.Devices(timeoutMs: 1000, pollSeconds: 1);
            var agent = await InProcessAgent.StartAsync(config);
            _agents.Add(agent);
            await Eventually.True(() => agent.Get<MqttLink>().IsReady, TimeSpan.FromSeconds(30), $"{room}'s agent to connect");
        }
        Office = await OfficeServer.StartAsync(Path.Combine(_dir.Path, "office"), Broker.Port,
            configure: o => o.Smtp = new EdgeAgent.Office.Configuration.OfficeOptions.SmtpOptions { Host = "127.0.0.1", Port = Mail.Port, From = "同步课堂告警 <alerts@county.example>", Security = "none" });
        // Rules for a test: a device of room-3 offline is an alert at once, at any hour; the others as a county would set them.
        await Office.Get<EdgeAgent.Office.Alerts.AlertEngine>().ReplaceRulesAsync($$"""
            {
              "schema": "edgeagent.alert-rules/1", "version": "console-test",
              "schoolHours": { "days": ["mon", "tue", "wed", "thu", "fri"], "start": "07:00", "end": "18:00" },
              "escalateAfterMinutes": 60,
              "notify": { "webhooks": ["{{Webhook.Url}}"], "email": ["tech@county.example"], "escalateEmail": ["head@county.example"] },
              "rules": [
                { "id": "device-offline", "condition": "device-offline", "severity": "important", "minutes": 0 },
                { "id": "room-offline", "condition": "room-offline", "severity": "important", "minutes": 10, "schoolHoursOnly": true }
              ]
            }
            """, "test", CancellationToken.None);
        Browser = await Browser.LaunchAsync();
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        await Office.DisposeAsync();
        foreach (var agent in _agents) await agent.DisposeAsync();
        await Broker.DisposeAsync();
        await Classroom1.DisposeAsync();
        await Classroom2.DisposeAsync();
        await Classroom3.DisposeAsync();
        await Webhook.DisposeAsync();
        await Mail.DisposeAsync();
        _dir.Dispose();
    }

    public static ILocator Row(IPage page, string room) => page.Locator($"#fleet tr[data-room='{room}']");

    public static string RoomPath(string room) => "/rooms/" + room;
}

public sealed class ConsoleTests(ConsoleFixture f) : IClassFixture<ConsoleFixture>
{
    private static readonly LocatorAssertionsToHaveAttributeOptions Within60s = new() { Timeout = 60_000 };

    [Fact]
    public async Task Fleet_page_lists_the_rooms_and_turns_a_room_whose_display_is_unplugged_without_a_reload()
    {
        var page = await f.Browser.SignInAsync(f.Office.Url, OfficeServer.Technician, OfficeServer.Password);
        var room1 = ConsoleFixture.Row(page, ConsoleFixture.Room1);
        var room2 = ConsoleFixture.Row(page, ConsoleFixture.Room2);
        // Both rooms online with every device answering (their health documents arrive by the live feed).
        await Expect(room1).ToHaveAttributeAsync("data-condition", "ok", Within60s);
        await Expect(room2).ToHaveAttributeAsync("data-condition", "ok", Within60s);
        await Expect(room2.Locator("td.online")).ToHaveTextAsync("在线 online");
        await Expect(room2.Locator("td.devices")).ToHaveTextAsync("无 none");
        await page.EvaluateAsync("() => { window.notReloaded = true; }");

        await f.Classroom2.Display.DisposeAsync(); // the display's cable pulled

        await Expect(room2).ToHaveAttributeAsync("data-condition", "problem", Within60s);
        await Expect(room2.Locator("td.devices")).ToContainTextAsync("display1");
        await Expect(room1).ToHaveAttributeAsync("data-condition", "ok");
        await Expect(page.Locator("#counts .n-problem")).ToHaveTextAsync("1");
        Assert.True(await page.EvaluateAsync<bool>("() => window.notReloaded === true"), "the page was reloaded");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Browser.ScreenshotPath("fleet.png"), FullPage = true });

        // The filter shows only the rooms with problems.
        await page.SelectOptionAsync("#f-condition", "problem");
        await Expect(room1).ToBeHiddenAsync();
        await Expect(room2).ToBeVisibleAsync();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_technician_runs_a_compliance_check_and_the_room_page_shows_the_report_rule_by_rule()
    {
        var page = await f.Browser.SignInAsync(f.Office.Url, OfficeServer.Technician, OfficeServer.Password);
        await page.GotoAsync(ConsoleFixture.RoomPath(ConsoleFixture.Room1));
        await Expect(page.Locator("#devices tr[data-device='cam1'] .device-state")).ToHaveTextAsync("online", new() { Timeout = 60_000 });

        await page.ClickAsync("#actions button[data-command='ping']");
        await Expect(page.Locator("#action-state")).ToHaveAttributeAsync("data-status", "200");
        await Expect(page.Locator("#reply")).ToContainTextAsync("\"version\"");

        await page.ClickAsync("#actions button[data-command='compliance-check']");
        await Expect(page.Locator("#action-state[data-command='compliance-check']")).ToHaveAttributeAsync("data-status", "200", new() { Timeout = 200_000 });
        await Expect(page.Locator("#reply")).ToContainTextAsync("CAM-RES");

        // The report is the room's retained compliance document: on the page once the office has it.
        await Eventually.True(() => f.Office.Get<EdgeAgent.Office.Fleet.FleetLive>().Find(ConsoleFixture.Room1)?.View.Compliance is not null,
            TimeSpan.FromSeconds(30), "the retained report at the office");
        await page.ReloadAsync();
        var rule = page.Locator("#compliance tr", new() { HasText = "CAM-RES" });
        await Expect(rule).ToContainTextAsync("720");
        await Expect(rule).ToContainTextAsync("fail");
        await Expect(page.Locator("#compliance tr", new() { HasText = "CAM-COUNT" })).ToContainTextAsync("pass");
        await Expect(page.Locator("#upcoming, #lessons")).Not.ToContainTextAsync("载入中"); // the room answered `lessons`
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Browser.ScreenshotPath("room.png"), FullPage = true });

        // Both actions in the audit log, with their results.
        await page.GotoAsync("/audit");
        var audit = page.Locator("#audit tr", new() { HasText = "compliance-check" });
        await Expect(audit.First).ToContainTextAsync(OfficeServer.Technician);
        await Expect(audit.First).ToContainTextAsync("ok");
        await Expect(page.Locator("#audit tr", new() { HasText = "ping" }).First).ToContainTextAsync(ConsoleFixture.Room1);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_viewer_is_refused_an_action_and_nothing_reaches_the_room()
    {
        await using var monitor = await TestMqttClient.ConnectAsync(f.Broker.Port, "cmd-monitor");
        await monitor.SubscribeAsync("edu/+/+/+/edgeagent/cmd/ping");
        var viewer = await f.Browser.SignInAsync(f.Office.Url, OfficeServer.Viewer, OfficeServer.Password);
        await viewer.GotoAsync(ConsoleFixture.RoomPath(ConsoleFixture.Room1));
        await viewer.ClickAsync("#actions button[data-command='ping']");
        await Expect(viewer.Locator("#action-state")).ToHaveAttributeAsync("data-status", "403");
        await Expect(viewer.Locator("#reply")).ToContainTextAsync("forbidden");

        // A technician's ping after it: the only ping the broker carried is the technician's.
        var tech = await f.Browser.SignInAsync(f.Office.Url, OfficeServer.Technician, OfficeServer.Password);
        await tech.GotoAsync(ConsoleFixture.RoomPath(ConsoleFixture.Room1));
        await tech.ClickAsync("#actions button[data-command='ping']");
        await Expect(tech.Locator("#action-state")).ToHaveAttributeAsync("data-status", "200");
        await monitor.WaitForAsync(_ => true, TimeSpan.FromSeconds(10), "the technician's ping on the broker");
        Assert.Single(monitor.Received);

        await viewer.GotoAsync("/audit");
        var refused = viewer.Locator("#audit tr", new() { HasText = OfficeServer.Viewer }).Filter(new() { HasText = "refused" });
        await Expect(refused.First).ToContainTextAsync("ping");
        await Expect(refused.First).ToContainTextAsync(ConsoleFixture.Room1);
        await viewer.Context.CloseAsync();
        await tech.Context.CloseAsync();
    }

    [Fact]
    public async Task A_wrong_password_is_refused_and_written_in_the_audit_log()
    {
        var context = await f.Browser.Instance.NewContextAsync(new BrowserNewContextOptions { BaseURL = f.Office.Url });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/signin");
        await page.FillAsync("input[name=name]", OfficeServer.Technician);
        await page.FillAsync("input[name=password]", "not-the-password");
        await page.ClickAsync("button[type=submit]");
        await Expect(page.Locator("#problem")).ToContainTextAsync("Wrong user name or password");
        await page.GotoAsync("/");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/signin"));
        await context.CloseAsync();
        var entries = await f.Office.Store.AuditLogAsync(null, 100, CancellationToken.None);
        Assert.Contains(entries, e => e.Who == OfficeServer.Technician && e.Action == "sign-in" && e.Result.StartsWith("refused", StringComparison.Ordinal));
        Assert.DoesNotContain(entries, e => e.Detail.Contains("not-the-password", StringComparison.Ordinal) || e.Result.Contains("not-the-password", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_a_session_there_is_only_the_sign_in_page_and_the_probes()
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = new Uri(f.Office.Url) };
        foreach (var page in new[] { "/", "/audit", ConsoleFixture.RoomPath(ConsoleFixture.Room1) })
        {
            using var r = await http.GetAsync(page);
            Assert.Equal(HttpStatusCode.Redirect, r.StatusCode);
            Assert.StartsWith("/signin", r.Headers.Location!.PathAndQuery);
        }
        using (var live = await http.GetAsync("/live")) Assert.Equal(HttpStatusCode.Unauthorized, live.StatusCode);
        using (var lessons = await http.GetAsync("/api/rooms/" + ConsoleFixture.Room1 + "/lessons")) Assert.Equal(HttpStatusCode.Unauthorized, lessons.StatusCode);
        using (var command = await http.PostAsync("/api/rooms/" + ConsoleFixture.Room1 + "/commands/ping", new StringContent("{}")))
            Assert.Equal(HttpStatusCode.Unauthorized, command.StatusCode);
        using (var signin = await http.GetAsync("/signin")) Assert.Equal(HttpStatusCode.OK, signin.StatusCode);

        using var health = await http.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("ok", JsonNode.Parse(await health.Content.ReadAsStringAsync())!["status"]!.GetValue<string>());
        string metrics = "";
        await Eventually.True(async () =>
        {
            metrics = await http.GetStringAsync("/metrics");
            return metrics.Contains("edgeagent_office_rooms{state=\"online\"} 3", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(30), "the three rooms online in the metrics");
        Assert.Contains("# TYPE edgeagent_office_collector_stored_total counter", metrics);
        Assert.Contains("edgeagent_office_broker_connected 1", metrics);
    }

    [Fact]
    public async Task An_alert_is_raised_notified_by_webhook_and_mail_and_acknowledged()
    {
        var page = await f.Browser.SignInAsync(f.Office.Url, OfficeServer.Technician, OfficeServer.Password);
        await page.GotoAsync("/alerts");
        await Expect(page.Locator("body")).ToHaveAttributeAsync("data-live", "open");
        await page.EvaluateAsync("() => { window.notReloaded = true; }");
        await Eventually.True(() => f.Office.Get<EdgeAgent.Office.Fleet.FleetLive>().Find(ConsoleFixture.Room3)?.View.Health?.Devices.Count == 4,
            TimeSpan.FromSeconds(60), "room-3's devices at the office");

        await f.Classroom3.Mic.DisposeAsync(); // the microphone array unplugged

        var row = page.Locator($"#open-alerts tr[data-rule='device-offline'][data-room='{ConsoleFixture.Room3}']");
        await Expect(row).ToContainTextAsync("mic1", new() { Timeout = 60_000 });
        await Expect(row).ToContainTextAsync("重要 important");
        Assert.True(await page.EvaluateAsync<bool>("() => window.notReloaded === true"), "the page was reloaded");

        // Notified: the webhook's JSON and a mail with the Chinese subject, both through the outbox.
        var hook = await Eventually.Value(() => f.Webhook.Received.FirstOrDefault(h => (string?)h["room"] == ConsoleFixture.Room3 && (string?)h["event"] == "raised"),
            TimeSpan.FromSeconds(30), "the webhook call");
        Assert.Equal("device-offline", (string?)hook["rule"]);
        Assert.Equal("mic1", (string?)hook["subject"]);
        var mail = await Eventually.Value(() => f.Mail.Messages.FirstOrDefault(m => m.Subject?.Contains(ConsoleFixture.Room3, StringComparison.Ordinal) == true),
            TimeSpan.FromSeconds(30), "the alert mail");
        Assert.Contains("告警", mail.Subject, StringComparison.Ordinal);
        Assert.Equal("tech@county.example", mail.To.Mailboxes.Single().Address);
        Assert.Contains("mic1", mail.TextBody);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Browser.ScreenshotPath("alerts.png"), FullPage = true });

        // Acknowledged: it stays open (the mic is still away) but is no longer escalated; the audit log says who.
        await row.Locator("button[data-ack]").ClickAsync();
        await Expect(row.Locator("td.ack")).ToContainTextAsync(OfficeServer.Technician);
        await Expect(row.Locator("button[data-ack]")).ToHaveCountAsync(0);
        var entries = await f.Office.Store.AuditLogAsync(ConsoleFixture.Room3, 20, CancellationToken.None);
        Assert.Contains(entries, e => e.Who == OfficeServer.Technician && e.Action == "alert-ack" && e.Result == "ok");

        using var http = new HttpClient { BaseAddress = new Uri(f.Office.Url) };
        var metrics = await http.GetStringAsync("/metrics");
        Assert.Matches(@"edgeagent_office_alerts_open\{severity=""important""\} [1-9]", metrics);
        var audit = await f.Office.Store.AuditLogAsync(null, 500, CancellationToken.None);
        Assert.DoesNotContain("s3cret-hook-token", string.Join("\n", audit.Select(e => e.Detail + e.Result)));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Only_an_admin_changes_the_rules_and_a_bad_document_is_refused_naming_the_field()
    {
        var tech = await f.Browser.SignInAsync(f.Office.Url, OfficeServer.Technician, OfficeServer.Password);
        await tech.GotoAsync("/alerts");
        await Expect(tech.Locator("pre#rules")).ToContainTextAsync("console-test");
        await Expect(tech.Locator("pre#rules")).ToContainTextAsync($"http://127.0.0.1:{f.Webhook.Port}/hook (…)");
        await Expect(tech.Locator("pre#rules")).Not.ToContainTextAsync("s3cret-hook-token");
        await Expect(tech.Locator("#save-rules")).ToHaveCountAsync(0);
        var refused = await tech.EvaluateAsync<int>("""
            async () => (await fetch('/api/alerts/rules', { method: 'POST', headers: { 'RequestVerificationToken': document.querySelector('meta[name="request-token"]').content }, body: '{}' })).status
            """);
        Assert.Equal(403, refused);

        var admin = await f.Browser.SignInAsync(f.Office.Url, OfficeServer.Admin, OfficeServer.Password);
        await admin.GotoAsync("/alerts");
        var rules = admin.Locator("textarea#rules");
        var good = await rules.InputValueAsync();
        await rules.FillAsync(good.Replace("\"minutes\": 10", "\"minutes\": -5", StringComparison.Ordinal));
        await admin.ClickAsync("#save-rules");
        await Expect(admin.Locator("#rules-state")).ToContainTextAsync("rules[1].minutes");
        Assert.Equal("console-test", f.Office.Get<EdgeAgent.Office.Alerts.AlertEngine>().Rules.Version);

        await rules.FillAsync(good);
        await admin.ClickAsync("#save-rules");
        await Expect(admin.Locator("#rules-state")).ToContainTextAsync("已保存 saved: console-test, 2 rules");
        var audit = await f.Office.Store.AuditLogAsync(null, 100, CancellationToken.None);
        Assert.Contains(audit, e => e.Who == OfficeServer.Admin && e.Action == "alert-rules" && e.Result.StartsWith("refused: rules[1].minutes", StringComparison.Ordinal));
        Assert.Contains(audit, e => e.Who == OfficeServer.Technician && e.Action == "alert-rules" && e.Result.StartsWith("refused: needs admin", StringComparison.Ordinal));
        await tech.Context.CloseAsync();
        await admin.Context.CloseAsync();
    }

    [Fact]
    public async Task The_county_office_fills_the_monthly_form_and_downloads_it_as_pdf()
    {
        // A lesson of a pair in October 2022, as the collector would have stored it.
        var record = CollectorTests.Record("room-1", 0, start: new DateTimeOffset(2022, 10, 10, 8, 30, 0, TimeSpan.FromHours(8))) with { Id = "form-test-1", School = "city-ps", PartnerSchool = "village-ps" };
        await f.Office.Store.StoreAsync(EdgeAgent.Office.Store.OfficeKind.Lesson, new RoomAddress("zj-test", "city-ps", "room-1"),
            System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(record, EdgeAgent.Contract.Json.ContractJson.Wire.LessonRecord), DateTimeOffset.UtcNow, CancellationToken.None);

        var page = await f.Browser.SignInAsync(f.Office.Url, OfficeServer.Viewer, OfficeServer.Password);
        await page.GotoAsync("/reports?month=2022-10");
        var pair = page.Locator("section.pair-inputs[data-pair='city-ps|village-ps']");
        await pair.Locator("input[name=urbanName]").FillAsync("杭州市丁荷小学");
        await pair.Locator("input[name=filler]").FillAsync("张卫群");
        await pair.Locator("select[name=stage]").SelectOptionAsync("小学");
        await pair.Locator("input[name='publicity.county']").FillAsync("2");
        await pair.Locator("textarea[name=highlights]").FillAsync("双师同备一节课");
        await pair.Locator("button[type=submit]").ClickAsync();
        await Expect(page.Locator("#saved")).ToContainTextAsync("city-ps / village-ps 2022-10");
        await Expect(page.Locator("section.pair-inputs[data-pair='city-ps|village-ps'] input[name=filler]")).ToHaveValueAsync("张卫群");

        // A phone number that is not one: refused naming the field, nothing kept.
        await page.Locator("section.pair-inputs[data-pair='city-ps|village-ps'] input[name=urbanPhone]").FillAsync("call me");
        await page.Locator("section.pair-inputs[data-pair='city-ps|village-ps'] button[type=submit]").ClickAsync();
        await Expect(page.Locator("#problem")).ToContainTextAsync("urbanPhone");

        var pdf = await page.APIRequest.GetAsync("/reports/2022-10/form.pdf");
        Assert.Equal(200, pdf.Status);
        Assert.Equal("application/pdf", pdf.Headers["content-type"]);
        var body = await pdf.BodyAsync();
        Assert.Equal("%PDF", System.Text.Encoding.ASCII.GetString(body, 0, 4));
        var html = await (await page.APIRequest.GetAsync("/reports/2022-10/form.html")).TextAsync();
        Assert.Contains("城镇学校：杭州市丁荷小学", html);
        Assert.Contains("填报人：张卫群", html);
        Assert.Contains("双师同备一节课", html);
        Assert.DoesNotContain("call me", html);
        var audit = await f.Office.Store.AuditLogAsync(null, 200, CancellationToken.None);
        Assert.Contains(audit, e => e.Who == OfficeServer.Viewer && e.Action == "form-inputs" && e.Result == "ok");
        Assert.Contains(audit, e => e.Who == OfficeServer.Viewer && e.Action == "form-inputs" && e.Result.StartsWith("refused: urbanPhone", StringComparison.Ordinal));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task An_admin_pushes_a_policy_checked_against_the_contract_and_others_cannot()
    {
        await using var monitor = await TestMqttClient.ConnectAsync(f.Broker.Port, "config-monitor");
        await monitor.SubscribeAsync("edu/+/+/+/edgeagent/config/policy");
        var policy = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(TestConfig.RepoRoot, "src", "EdgeAgent", "Compliance", "default-policy.json")))!;
        const string Push = """
            async ([kind, body]) => {
              const r = await fetch('/api/config/' + kind, { method: 'POST', headers: { 'Content-Type': 'application/json',
                'RequestVerificationToken': document.querySelector('meta[name="request-token"]').content }, body });
              return { status: r.status, text: await r.text() };
            }
            """;
        async Task<(int Status, System.Text.Json.Nodes.JsonNode Body)> PushAsync(IPage page, string kind, string target, System.Text.Json.Nodes.JsonNode document)
        {
            var body = new System.Text.Json.Nodes.JsonObject { ["target"] = target, ["document"] = document.DeepClone() }.ToJsonString();
            var r = await page.EvaluateAsync<System.Text.Json.JsonElement>(Push, new object[] { kind, body });
            return (r.GetProperty("status").GetInt32(), System.Text.Json.Nodes.JsonNode.Parse(r.GetProperty("text").GetString()!)!);
        }

        var tech = await f.Browser.SignInAsync(f.Office.Url, OfficeServer.Technician, OfficeServer.Password);
        Assert.Equal(403, (await PushAsync(tech, "policy", ConsoleFixture.Room1, policy)).Status);

        var admin = await f.Browser.SignInAsync(f.Office.Url, OfficeServer.Admin, OfficeServer.Password);
        var broken = policy.DeepClone();
        broken["rules"]![0]!["comparison"] = 42;
        var (status, refused) = await PushAsync(admin, "policy", ConsoleFixture.Room1, broken);
        Assert.Equal(400, status);
        Assert.Contains(refused["error"]!["problems"]!.AsArray(), p => p!.GetValue<string>().Contains("rules[0].comparison", StringComparison.Ordinal));
        Assert.Empty(monitor.Received); // nothing sent

        var (ok, sent) = await PushAsync(admin, "policy", "zj-test/test-school/+", policy);
        Assert.Equal(200, ok);
        Assert.Equal(3, sent["rooms"]!.AsArray().Count);
        var retained = await monitor.WaitForAsync(m => m.Topic == "edu/zj-test/test-school/room-1/edgeagent/config/policy", TimeSpan.FromSeconds(10), "the policy on room-1");
        Assert.True(retained.Retain || monitor.Received.Count >= 3);
        Assert.Equal("zj-paired-default", (string?)TestMqttClient.Json(retained)["id"]);
        var audit = await f.Office.Store.AuditLogAsync(null, 200, CancellationToken.None);
        Assert.Contains(audit, e => e.Who == OfficeServer.Admin && e.Action == "config-policy" && e.Result == "ok: published to 3 room(s)");
        Assert.Contains(audit, e => e.Who == OfficeServer.Admin && e.Action == "config-policy" && e.Result.StartsWith("refused:", StringComparison.Ordinal));
        Assert.Contains(audit, e => e.Who == OfficeServer.Technician && e.Action == "config-policy" && e.Result == "refused: needs admin");
        await tech.Context.CloseAsync();
        await admin.Context.CloseAsync();
    }

    [Fact]
    public async Task An_admin_adds_a_user_who_can_then_sign_in_and_a_technician_cannot()
    {
        var admin = await f.Browser.SignInAsync(f.Office.Url, OfficeServer.Admin, OfficeServer.Password);
        await admin.GotoAsync("/users");
        await admin.FillAsync("#add-user input[name=name]", "county-viewer");
        await admin.SelectOptionAsync("#add-user select[name=role]", "viewer");
        await admin.FillAsync("#add-user input[name=password]", "county-2026-pw");
        await admin.ClickAsync("#add-user button[type=submit]");
        await Expect(admin.Locator("#users tr[data-user='county-viewer']")).ToContainTextAsync("viewer");
        var newcomer = await f.Browser.SignInAsync(f.Office.Url, "county-viewer", "county-2026-pw");
        await Expect(newcomer.Locator("header .me")).ToContainTextAsync("county-viewer (viewer)");

        var tech = await f.Browser.SignInAsync(f.Office.Url, OfficeServer.Technician, OfficeServer.Password);
        await tech.GotoAsync("/users");
        await Expect(tech.Locator("main")).ToContainTextAsync("Only an admin manages users");
        await Expect(tech.Locator("#users")).ToHaveCountAsync(0);
        var audit = await f.Office.Store.AuditLogAsync(null, 300, CancellationToken.None);
        Assert.Contains(audit, e => e.Who == OfficeServer.Admin && e.Action == "user-save" && e.Detail == "county-viewer as viewer" && e.Result == "ok");
        Assert.DoesNotContain(audit, e => e.Detail.Contains("county-2026-pw", StringComparison.Ordinal));
        foreach (var p in new[] { admin, newcomer, tech }) await p.Context.CloseAsync();
    }
}
