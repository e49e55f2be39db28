using EdgeAgent.Client.Fleet;
using EdgeAgent.Contract.Topics;

namespace EdgeAgent.Office.Fleet;

/// <summary>One room as the office sees it now: the retained documents (<see cref="RoomView"/>) and when its online state last changed.</summary>
public sealed class LiveRoom(RoomAddress room)
{
    public RoomView View { get; } = new(room);
    public string Id { get; } = room.ToString();
    /// <summary>When the office saw the room go online or offline; null until it has seen a change (then the documents' own times say since when).</summary>
    public DateTimeOffset? ChangedAt { get; set; }
    /// <summary>What the room has booked ahead, when the office last asked (<see cref="LessonsAhead"/>).</summary>
    public RoomLessons? Ahead { get; set; }

    /// <summary>The last retained document from the room.</summary>
    public DateTimeOffset LastMessage { get; set; }

    /// <summary>Online: since the agent started (or since the office saw it come back). Offline: since the office saw the Will, else the last heartbeat.</summary>
    public DateTimeOffset? Since => View.Online == true ? Latest(View.StartedAt, ChangedAt) : ChangedAt ?? View.HealthAt;

    private static DateTimeOffset? Latest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;
}
