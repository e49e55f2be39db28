using System.Text.Json.Nodes;
using EdgeAgent.Client.Broker;
using EdgeAgent.Client.Terminal;
using EdgeAgent.Contract.Json;
using EdgeAgent.Contract.Time;
using EdgeAgent.Contract.Topics;
using EdgeAgent.Contract.Vocabulary;

namespace EdgeAgent.Ctl.Fleet;

/// <summary><c>edgeagent-ctl rooms</c>: every room the broker holds retained documents of, one line each (times in school time).</summary>
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
                    ["online"] = r.Online, ["role"] = r.State?.Role is { } role ? Words.Of(role) : null, ["version"] = r.State?.Version,
                    ["startedAt"] = Time(r.StartedAt), ["lastHeartbeat"] = Time(r.HealthAt),
                    ["deviceProblems"] = new JsonArray(r.DeviceProblems.Select(p => (JsonNode?)p).ToArray()),
                    ["compliance"] = r.Compliance?.Verdict, ["complianceAt"] = Time(r.Compliance?.At),
                    ["lesson"] = r.Health?.Lesson?.Id,
                    ["update"] = r.Update?.State, ["updateTarget"] = r.Update?.Target,
                });
            }
            output.WriteLine(array.ToJsonString(ContractJson.Pretty.Options));
            return Broker.CtlExit.Ok;
        }
        if (rooms.Count == 0)
        {
            output.WriteLine($"No rooms: the broker holds no retained state under {TopicTree.Root(region ?? "+", school ?? "+", "+")}.");
            return Broker.CtlExit.Ok;
        }
        var table = Tables.Plain("ROOM", "ROLE", "ONLINE", "SINCE", "DEVICE PROBLEMS", "COMPLIANCE", "CHECKED", "LESSON NOW", "UPDATE", "LAST HEARTBEAT");
        foreach (var r in rooms)
        {
            var online = r.Online switch { true => "online", false => "OFFLINE", null => "?" };
            // Online: since the agent started. Offline: the Will carries no time, so the last heartbeat is when it was last seen.
            var since = r.Online == true ? SchoolTime.Minutes(r.StartedAt) : SchoolTime.Minutes(r.HealthAt);
            table.AddRow(r.Room.ToString(), r.State?.Role is { } role ? Words.Of(role) : "-", online, since,
                r.DeviceProblems.Count == 0 ? (r.Health is null ? "-" : "none") : string.Join(", ", r.DeviceProblems),
                r.Compliance?.Verdict ?? "-", SchoolTime.Minutes(r.Compliance?.At), r.Health?.Lesson?.Booking ?? r.Health?.Lesson?.Id ?? "-",
                UpdateCommand.Short(r.Update), SchoolTime.Minutes(r.HealthAt));
        }
        Tables.Write(output, table);
        output.WriteLine($"{rooms.Count} room(s), {rooms.Count(r => r.Online == true)} online.");
        return Broker.CtlExit.Ok;
    }

    private static string? Time(DateTimeOffset? t) => t is { } v ? SchoolTime.Seconds(v) : null;
}
