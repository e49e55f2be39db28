using System.Text.Json.Nodes;
using EdgeAgent.Configuration;

namespace EdgeAgent.Ctl.Fleet;

/// <summary><c>edgeagent-ctl rooms</c>: every room the broker holds retained documents of, one line each.</summary>
public static class RoomsCommand
{
    public static async Task<int> RunAsync(BrokerOptions broker, string? region, string? school, bool json, TextWriter output, CancellationToken ct)
    {
        var rooms = await RetainedView.ReadAsync(broker, region ?? "+", school ?? "+", "+", ct).ConfigureAwait(false);
        if (json)
        {
            var array = new JsonArray();
            foreach (var r in rooms)
            {
                array.Add(new JsonObject
                {
                    ["room"] = r.Room.ToString(), ["region"] = r.Room.Region, ["school"] = r.Room.School, ["name"] = r.Room.Room,
                    ["online"] = r.Online, ["role"] = r.State?["role"]?.GetValue<string>(), ["version"] = r.State?["version"]?.GetValue<string>(),
                    ["startedAt"] = r.StartedAt, ["lastHeartbeat"] = r.HealthAt,
                    ["deviceProblems"] = new JsonArray(r.DeviceProblems.Select(p => (JsonNode?)p).ToArray()),
                    ["compliance"] = r.Compliance?["verdict"]?.GetValue<string>(), ["complianceAt"] = RoomView.Time(r.Compliance?["at"]),
                });
            }
            output.WriteLine(array.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
            return Broker.CtlExit.Ok;
        }
        if (rooms.Count == 0)
        {
            output.WriteLine("No rooms: the broker holds no retained state under edu/" + $"{region ?? "+"}/{school ?? "+"}/+/edgeagent.");
            return Broker.CtlExit.Ok;
        }
        var table = new TextTable("ROOM", "ROLE", "ONLINE", "SINCE", "DEVICE PROBLEMS", "COMPLIANCE", "CHECKED", "LAST HEARTBEAT");
        foreach (var r in rooms)
        {
            var online = r.Online switch { true => "online", false => "OFFLINE", null => "?" };
            // Online: since the agent started. Offline: the Will carries no time, so the last heartbeat is when it was last seen.
            var since = r.Online == true ? TextTable.When(r.StartedAt) : TextTable.When(r.HealthAt);
            table.Add(r.Room.ToString(), r.State?["role"]?.GetValue<string>() ?? "-", online, since,
                r.DeviceProblems.Count == 0 ? (r.Health is null ? "-" : "none") : string.Join(", ", r.DeviceProblems),
                r.Compliance?["verdict"]?.GetValue<string>() ?? "-", TextTable.When(RoomView.Time(r.Compliance?["at"])), TextTable.When(r.HealthAt));
        }
        table.Write(output);
        output.WriteLine($"{rooms.Count} room(s), {rooms.Count(r => r.Online == true)} online.");
        return Broker.CtlExit.Ok;
    }
}
