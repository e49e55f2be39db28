using System.Globalization;
using System.Text.Json.Nodes;
using EdgeAgent.Configuration;
using EdgeAgent.Ctl.Broker;
using EdgeAgent.Ctl.Diag;
using EdgeAgent.Ctl.Office;

namespace EdgeAgent.Ctl.Fleet;

/// <summary>
/// <c>edgeagent-ctl status ROOM</c>: one room in detail — state, host vitals, devices, the compliance report rule by
/// rule (all retained), upcoming lessons and clashes (the <c>lessons</c> command, when the room is online) and recent
/// events (from the office collector's database: events are not retained).
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
            var outcome = await CommandRequester.SendAsync(broker, room, "lessons", new JsonObject { ["days"] = 7 }, TimeSpan.FromSeconds(10), null, ct).ConfigureAwait(false);
            if (outcome.Ok) lessons = outcome.Reply!["result"] as JsonObject;
            else lessonsNote = outcome.Answered ? $"the room answered: {outcome.Reply!["error"]?["message"]}" : "no answer to `lessons` within 10 s";
        }
        else lessonsNote = "the room is offline";
        IReadOnlyList<JsonObject> recent = [];
        if (db is not null)
        {
            await using var store = await OfficeStore.OpenAsync(db, ct).ConfigureAwait(false);
            recent = await store.RecentEventsAsync(room, events, ct).ConfigureAwait(false);
        }
        if (json)
        {
            var doc = new JsonObject
            {
                ["room"] = room.ToString(), ["state"] = view.State?.DeepClone(), ["health"] = view.Health?.DeepClone(), ["compliance"] = view.Compliance?.DeepClone(),
                ["tallies"] = view.Tallies?.DeepClone(), ["lessons"] = lessons?.DeepClone(), ["lessonsNote"] = lessonsNote,
                ["events"] = db is null ? null : new JsonArray(recent.Select(e => (JsonNode?)e.DeepClone()).ToArray()),
            };
            output.WriteLine(doc.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
            return Verdict(view);
        }

        output.WriteLine($"Room {room}  role {view.State?["role"]?.GetValue<string>() ?? "?"}  agent {view.State?["version"]?.GetValue<string>() ?? "?"}");
        output.WriteLine(view.Online == true
            ? $"State: online since {TextTable.When(view.StartedAt)}"
            : $"State: OFFLINE (last heartbeat {TextTable.When(view.HealthAt)})");
        if (view.Health?["host"] is JsonObject host)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Host at {TextTable.When(view.HealthAt)}: CPU {Num(host["cpuPercent"])} %, memory {Num(host["memoryPercent"])} %, agent {Num(host["agentRssMb"])} MB, recording space {Bytes(host["recordingFreeBytes"])}, temperature {(host["temperatureC"] is null ? "-" : Num(host["temperatureC"]) + " °C")}, uptime {Uptime(host["uptimeSeconds"])}"));
        }
        output.WriteLine();
        output.WriteLine("Devices:");
        if (view.Health?["devices"] is JsonArray devices && devices.Count > 0)
        {
            var table = new TextTable("  ID", "KIND", "STATE", "LAST SEEN", "DETAIL");
            foreach (var d in devices.OfType<JsonObject>())
                table.Add("  " + Str(d["id"]), Str(d["kind"]), Str(d["state"]), TextTable.When(RoomView.Time(d["lastSeen"])), Str(d["detail"]));
            table.Write(output);
        }
        else output.WriteLine("  (no health document retained)");
        output.WriteLine();
        if (view.Compliance is { } c)
        {
            output.WriteLine($"Compliance: {Str(c["verdict"]).ToUpperInvariant()} at {TextTable.When(RoomView.Time(c["at"]))} (policy {Str(c["policyId"])} {Str(c["policyVersion"])}, {Str(c["unknown"])} unknown)");
            var table = new TextTable("  RULE", "VERDICT", "MEASURED", "THRESHOLD", "TITLE");
            foreach (var r in (c["rules"] as JsonArray ?? []).OfType<JsonObject>())
                table.Add("  " + Str(r["id"]), Str(r["verdict"]), $"{Str(r["measured"])} {Str(r["unit"])}".Trim(), Str(r["threshold"]), $"{Str(r["titleZh"])} {Str(r["titleEn"])}");
            table.Write(output);
        }
        else output.WriteLine("Compliance: no report retained yet");
        output.WriteLine();
        output.WriteLine("Upcoming lessons:");
        if (lessons?["upcoming"] is JsonArray upcoming && upcoming.Count > 0)
        {
            var table = new TextTable("  DATE", "PERIOD", "FORM", "SUBJECT", "PARTNER", "WINDOW", "CLASH");
            foreach (var l in upcoming.OfType<JsonObject>())
            {
                var start = RoomView.Time(l["start"]);
                var end = RoomView.Time(l["end"]);
                table.Add("  " + Str(l["date"]), Str(l["period"]), Str(l["form"]), Str(l["subject"]), Str(l["partnerSchool"]),
                    start is null ? "-" : $"{TextTable.When(start)}–{end?.ToUniversalTime().ToString("HH:mm'Z'", CultureInfo.InvariantCulture)}",
                    l["clash"]?.GetValue<bool>() == true ? $"CLASH ({Str(l["note"])})" : "");
            }
            table.Write(output);
        }
        else output.WriteLine(lessonsNote is null ? "  none in the next 7 days" : $"  unknown: {lessonsNote}");
        output.WriteLine();
        output.WriteLine("Recent events:");
        if (db is null) output.WriteLine("  (events are not retained: pass --db of the office collector to see them)");
        else if (recent.Count == 0) output.WriteLine("  none collected");
        else
        {
            var table = new TextTable("  AT", "SEVERITY", "TYPE", "DEVICE", "DETAIL");
            foreach (var e in recent)
                table.Add("  " + TextTable.When(RoomView.Time(e["at"])), Str(e["severity"]), Str(e["type"]), Str(e["device"]), Str(e["detail"]));
            table.Write(output);
        }
        return Verdict(view);
    }

    /// <summary>1 when the room is offline, a device is not online or compliance failed: a script can act on it.</summary>
    private static int Verdict(RoomView view) =>
        view.Online != true || view.DeviceProblems.Count > 0 || view.Compliance?["verdict"]?.GetValue<string>() == "fail" ? CtlExit.Failed : CtlExit.Ok;

    private static string Str(JsonNode? n) => n switch
    {
        null => "",
        JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.String => v.GetValue<string>(),
        _ => n.ToJsonString(),
    };

    private static string Num(JsonNode? n) => n is null ? "-" : n.GetValue<double>().ToString("0.#", CultureInfo.InvariantCulture);

    private static string Bytes(JsonNode? n) => n is null ? "-" : (n.GetValue<double>() / 1e9).ToString("0.0", CultureInfo.InvariantCulture) + " GB";

    private static string Uptime(JsonNode? n)
    {
        if (n is null) return "-";
        var t = TimeSpan.FromSeconds(n.GetValue<double>());
        return t.TotalDays >= 1 ? $"{(int)t.TotalDays} d {t.Hours} h" : $"{t.Hours} h {t.Minutes} min";
    }
}
