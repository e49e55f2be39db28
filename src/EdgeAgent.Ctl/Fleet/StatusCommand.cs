using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeAgent.Client.Broker;
using EdgeAgent.Client.Fleet;
using EdgeAgent.Client.Terminal;
using EdgeAgent.Contract.Commands;
using EdgeAgent.Contract.Json;
using EdgeAgent.Contract.Payloads;
using EdgeAgent.Contract.Time;
using EdgeAgent.Contract.Topics;
using EdgeAgent.Contract.Vocabulary;
using EdgeAgent.Ctl.Broker;
using EdgeAgent.Ctl.Diag;
using EdgeAgent.Office.Store;

namespace EdgeAgent.Ctl.Fleet;

/// <summary>
/// <c>edgeagent-ctl status ROOM</c>: one room in detail — state, host vitals, the lesson running now with its stream,
/// devices, the compliance report rule by rule (all retained), upcoming lessons and clashes (the <c>lessons</c> command,
/// when the room is online) and recent events (from the office collector's database: events are not retained).
/// Every time in school time.
/// </summary>
public static class StatusCommand
{
    public static async Task<int> RunAsync(BrokerOptions broker, RoomAddress room, string? db, int events, bool json, TextWriter output, CancellationToken ct)
    {
        var view = (await RetainedView.ReadAsync(broker, room.Region, room.School, room.Room, ct).ConfigureAwait(false)).FirstOrDefault();
        if (view is null)
            throw new CtlException($"edgeagent-ctl: the broker has nothing retained for {room}: no agent of that name has ever connected (see `edgeagent-ctl rooms`)", CtlExit.Failed);
        JsonObject? lessons = null;
        string? lessonsNote = null;
        if (view.Online == true)
        {
            var outcome = await RoomRequest.SendAsync(broker, room, AgentCommands.Lessons.Name, new JsonObject { ["days"] = 7 }, TimeSpan.FromSeconds(10), null, ct).ConfigureAwait(false);
            if (outcome.Ok) lessons = outcome.Reply!.Result as JsonObject;
            else lessonsNote = outcome.Answered ? $"the room answered: {outcome.Reply!.Error?.Message}" : "no answer to `lessons` within 10 s";
        }
        else lessonsNote = "the room is offline";
        IReadOnlyList<JsonObject> recent = [];
        if (db is not null)
        {
            await using var store = await OfficeStore.OpenAsync(db, ct, create: false).ConfigureAwait(false);
            recent = await store.RecentEventsAsync(room, events, ct).ConfigureAwait(false);
        }
        if (json)
        {
            var doc = new JsonObject
            {
                ["room"] = room.ToString(),
                ["state"] = view.State is null ? null : JsonSerializer.SerializeToNode(view.State, ContractJson.Wire.StatePayload),
                ["health"] = view.Health is null ? null : JsonSerializer.SerializeToNode(view.Health, ContractJson.Wire.HealthPayload),
                ["compliance"] = view.Compliance is null ? null : JsonSerializer.SerializeToNode(view.Compliance, ContractJson.Wire.ComplianceReport),
                ["tallies"] = view.Tallies is null ? null : JsonSerializer.SerializeToNode(view.Tallies, ContractJson.Wire.Tallies),
                ["update"] = view.Update is null ? null : JsonSerializer.SerializeToNode(view.Update, ContractJson.Wire.UpdateStatus),
                ["lessons"] = lessons?.DeepClone(), ["lessonsNote"] = lessonsNote,
                ["events"] = db is null ? null : new JsonArray(recent.Select(e => (JsonNode?)e.DeepClone()).ToArray()),
            };
            output.WriteLine(doc.ToJsonString(ContractJson.Pretty.Options));
            return Verdict(view);
        }

        output.WriteLine($"Room {room}  role {(view.State?.Role is { } role ? Words.Of(role) : "?")}  agent {view.State?.Version ?? "?"}  (times in school time)");
        output.WriteLine(view.Online == true
            ? $"State: online since {SchoolTime.Minutes(view.StartedAt)}"
            : $"State: OFFLINE (last heartbeat {SchoolTime.Minutes(view.HealthAt)})");
        if (view.Health?.Degraded is { Count: > 0 } degraded) output.WriteLine($"DEGRADED: {string.Join("; ", degraded)}");
        if (view.Health?.Uploads is { Files: > 0 } waiting)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"recordings waiting for upload: {waiting.Files} lesson(s), {waiting.Bytes / 1_048_576.0:0.0} MiB, the oldest since {SchoolTime.Minutes(waiting.Oldest)}"));
        if (view.Unreadable.Count > 0) output.WriteLine($"Not readable as this tool's contract: {string.Join(", ", view.Unreadable)} (a newer agent?)");
        if (view.Health?.Host is { } host)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Host at {SchoolTime.Minutes(view.HealthAt)}: CPU {host.CpuPercent:0.#} %, memory {host.MemoryPercent:0.#} %, agent {host.AgentRssMb:0.#} MB, recording space {host.RecordingFreeBytes / 1e9:0.0} GB, temperature {(host.TemperatureC is { } t ? $"{t:0.#} °C" : "-")}, uptime {Uptime(host.UptimeSeconds)}"));
        }
        output.WriteLine();
        if (view.Health?.Lesson is { } lesson)
        {
            output.WriteLine($"Lesson now: {lesson.Booking ?? lesson.Id} since {SchoolTime.Minutes(lesson.Start)}, until {SchoolTime.Minutes(lesson.PlannedEnd)} (started by {lesson.StartedBy})");
            if (lesson.Stream is { } s)
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  stream {s.State}: {s.Fps:0.#} fps, {s.BitrateKbps:0} kbit/s, uplink {s.UplinkUp switch { true => "up", false => "DOWN", null => "none configured" }}, {s.SecondsStreamed:0} s streamed, {s.Restarts} restart(s), {s.Stalls} stall(s), {s.UplinkLosses} uplink loss(es), {s.DroppedFrames} dropped frame(s)"));
            if (lesson.Stream?.Link is { } up) output.WriteLine("  uplink link: " + Link(up));
            if (lesson.Playback is { } p)
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  partner {p.Partner} {p.State}: latency {(p.LatencyMs is { } ms ? $"{ms:0} ms" : "-")}, {p.SecondsPlayed:0} s played, {p.PartnerLostSeconds:0} s without the partner, {p.Stalls} stall(s), {p.DroppedFrames} dropped frame(s), {p.PlayerRestarts} player restart(s)"));
            if (lesson.Playback?.Link is { } down) output.WriteLine("  partner link: " + Link(down));
            foreach (var h in lesson.Heals ?? [])
                output.WriteLine(h.Outcome == HealOutcomes.Healed
                    ? string.Create(CultureInfo.InvariantCulture, $"  healed: {h.Trigger} on {h.Device} at {SchoolTime.Minutes(h.DetectedAt)} by {h.Playbook} in {h.SecondsLost:0} s (attempt {h.Attempts}), {h.SecondsSaved / 60:0} min of lesson saved")
                    : string.Create(CultureInfo.InvariantCulture, $"  NOT healed: {h.Trigger} on {h.Device} since {SchoolTime.Minutes(h.DetectedAt)}, {h.Playbook} gave up after {h.Attempts} attempt(s): needs a technician"));
        }
        else output.WriteLine("Lesson now: none");
        output.WriteLine();
        output.WriteLine("Devices:");
        if (view.Health?.Devices is { Count: > 0 } devices)
        {
            var table = Tables.Plain("ID", "KIND", "STATE", "LAST SEEN", "ERRORS", "TIMEOUTS", "DETAIL");
            foreach (var d in devices)
                table.AddRow(d.Id, d.Kind, d.State, SchoolTime.Minutes(d.LastSeen), d.Errors.ToString(CultureInfo.InvariantCulture), d.Timeouts.ToString(CultureInfo.InvariantCulture), d.Detail);
            Tables.Write(output, table);
        }
        else output.WriteLine("  (no health document retained)");
        output.WriteLine();
        if (view.Compliance is { } c)
        {
            output.WriteLine($"Compliance: {c.Verdict.ToUpperInvariant()} ({Verdicts.Chinese(c.Verdict)}) at {SchoolTime.Minutes(c.At)} (policy {c.PolicyId} {c.PolicyVersion}, {c.Unknown} unknown)");
            var table = Tables.Plain("RULE", "VERDICT", "MEASURED", "THRESHOLD", "TITLE");
            foreach (var r in c.Rules)
                table.AddRow(r.Id, r.Verdict, $"{r.Measured} {r.Unit}".Trim(), r.Threshold ?? "", $"{r.TitleZh} {r.TitleEn}");
            Tables.Write(output, table);
        }
        else output.WriteLine("Compliance: no report retained yet");
        output.WriteLine(UpdateCommand.Line(view.Update));
        output.WriteLine();
        output.WriteLine("Upcoming lessons:");
        if (lessons?["upcoming"] is JsonArray upcoming && upcoming.Count > 0)
        {
            var table = Tables.Plain("DATE", "PERIOD", "FORM", "SUBJECT", "PARTNER", "WINDOW", "CLASH");
            foreach (var l in upcoming.OfType<JsonObject>())
            {
                var start = Time(l["start"]);
                var end = Time(l["end"]);
                table.AddRow(Str(l["date"]), Str(l["period"]), Str(l["form"]), Str(l["subject"]), Str(l["partnerSchool"]),
                    start is null ? "-" : $"{SchoolTime.Minutes(start)}–{(end is { } e ? SchoolTime.Of(e).ToString("HH:mm", CultureInfo.InvariantCulture) : "?")}",
                    l["clash"]?.GetValue<bool>() == true ? $"CLASH ({Str(l["note"])})" : "");
            }
            Tables.Write(output, table);
        }
        else output.WriteLine(lessonsNote is null ? "  none in the next 7 days" : $"  unknown: {lessonsNote}");
        output.WriteLine();
        output.WriteLine("Recent events:");
        if (db is null) output.WriteLine("  (events are not retained: pass --db of the office collector to see them)");
        else if (recent.Count == 0) output.WriteLine("  none collected");
        else
        {
            var table = Tables.Plain("AT", "SEVERITY", "TYPE", "DEVICE", "DETAIL");
            foreach (var e in recent)
                table.AddRow(SchoolTime.Minutes(Time(e["at"])), Str(e["severity"]), Str(e["type"]), Str(e["device"]), Str(e["detail"]));
            Tables.Write(output, table);
        }
        return Verdict(view);
    }

    /// <summary>1 when the room is offline, a device is not online or compliance failed: a script can act on it.</summary>
    private static int Verdict(RoomView view) =>
        view.Online != true || view.DeviceProblems.Count > 0 || view.Compliance?.Verdict == "fail" ? CtlExit.Failed : CtlExit.Ok;

    private static string Str(JsonNode? n) => n switch
    {
        null => "",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => n.ToJsonString(),
    };

    private static DateTimeOffset? Time(JsonNode? node) =>
        node?.GetValueKind() == JsonValueKind.String && DateTimeOffset.TryParse(node.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;

    /// <summary>An SRT leg in one line: what a technician reads to tell a weak link from a broken one.</summary>
    private static string Link(LiveLinkHealth l) => string.Create(CultureInfo.InvariantCulture,
        $"RTT {l.RttMs:0} ms, {l.Mbps:0.##} Mbit/s{(l.Rung is { } r ? $" on rung {r}" : "")}, {l.LossPercent:0.#} % lost, {l.RetransmitPercent:0.#} % retransmitted, {l.DroppedPackets} dropped as too late, buffer {l.BufferMs:0} ms, link estimate {l.BandwidthMbps:0.##} Mbit/s, SRT latency {l.LatencyMs} ms");

    private static string Uptime(long seconds)
    {
        var t = TimeSpan.FromSeconds(seconds);
        return t.TotalDays >= 1 ? $"{(int)t.TotalDays} d {t.Hours} h" : $"{t.Hours} h {t.Minutes} min";
    }
}
