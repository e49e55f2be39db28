using System.Text.Json.Nodes;

namespace EdgeAgent.Tests.TestSupport;

/// <summary>
/// Tests of a pair of classrooms (a main room and its receiving room), each an agent with its own simulated classroom,
/// on one broker. <see cref="Room"/> starts a room's configuration; the classrooms are gone after the class's tests.
/// </summary>
public abstract class PairTest : BrokerTest
{
    protected const string Main = "lanxi-wuxi-ps", Receiving = "lanxi-houren-ps";
    private readonly List<SimulatedClassroom> _rooms = [];

    public override async Task DisposeAsync()
    {
        foreach (var r in _rooms) await r.DisposeAsync();
        await base.DisposeAsync();
    }

    protected static string RootOf(string school, string room) => $"edu/zj-test/{school}/{room}/edgeagent";

    /// <summary>A room's configuration with its devices (a new simulated classroom, returned too) and this test's broker, under <c>Dir/room</c>.</summary>
    protected (JsonObject Config, string Dir, SimulatedClassroom Classroom) Room(string school, string room, string role)
    {
        var classroom = new SimulatedClassroom();
        _rooms.Add(classroom);
        var dir = Path.Combine(Dir.Path, room);
        var config = TestConfig.Minimal(dir);
        config["school"] = school;
        config["room"] = room;
        config["role"] = role;
        config["broker"] = new JsonObject { ["host"] = "127.0.0.1", ["port"] = Broker.Port, ["heartbeatSeconds"] = 2 };
        config["devices"] = classroom.Devices();
        return (config, dir, classroom);
    }
}
