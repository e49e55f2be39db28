using System.Text.Json.Nodes;

namespace EdgeAgent.Tests.TestSupport;

/// <summary>
/// A test class of lesson runners on the fake clock (<see cref="LessonRig"/>) sharing one simulated classroom; every rig
/// it made is disposed with it. <see cref="InitializeAsync"/> is where an installer's presets are stored.
/// </summary>
public abstract class LessonRigTest : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private readonly List<LessonRig> _rigs = [];

    protected SimulatedClassroom Room { get; } = new();

    public abstract Task InitializeAsync();

    public async Task DisposeAsync()
    {
        foreach (var rig in _rigs) await rig.DisposeAsync();
        await Room.DisposeAsync();
        _dir.Dispose();
    }

    protected LessonRig Rig(DateTimeOffset now, JsonArray bookings, Action<JsonObject>? edit = null, bool healing = false, TimeProvider? healingClock = null)
    {
        var rig = LessonRig.Create(_dir.Path, Room, now, bookings, edit, healing, healingClock);
        _rigs.Add(rig);
        return rig;
    }
}
