using EdgeAgent.State;
using EdgeAgent.Telemetry;
using EdgeAgent.Tests.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Tests.Telemetry;

public class OutboxTests
{
    private static Outbox Create(TempDir dir, int maxEvents)
    {
        var db = new StateDatabase(dir.Path, NullLogger<StateDatabase>.Instance);
        db.Migrate();
        return new Outbox(db, maxEvents, TimeProvider.System, NullLogger<Outbox>.Instance);
    }

    [Fact]
    public void Events_beyond_the_bound_drop_oldest_first_and_are_counted_but_lessons_never()
    {
        using var dir = new TempDir();
        var outbox = Create(dir, maxEvents: 10);
        for (var i = 0; i < 5; i++) outbox.Enqueue(OutboxKind.Lesson, "t/lessons", $"lesson-{i}", [1]);
        for (var i = 0; i < 25; i++) outbox.Enqueue(OutboxKind.Event, "t/events", $"event-{i}", [2]);
        for (var i = 5; i < 8; i++) outbox.Enqueue(OutboxKind.Compliance, "t/compliance", $"report-{i}", [3]);

        var all = outbox.Peek(1000);
        Assert.Equal(5 + 10 + 3, all.Count);
        Assert.Equal(15, outbox.Dropped);
        Assert.Equal(Enumerable.Range(15, 10).Select(i => $"event-{i}"), all.Where(m => m.Kind == OutboxKind.Event).Select(m => m.Id));
        Assert.Equal(5, all.Count(m => m.Kind == OutboxKind.Lesson));
        Assert.Equal(all.OrderBy(m => m.Seq), all);
    }

    [Fact]
    public void Messages_survive_reopening_and_leave_only_when_deleted()
    {
        using var dir = new TempDir();
        var outbox = Create(dir, 100);
        var first = outbox.Enqueue(OutboxKind.Lesson, "t/lessons", "a", [1, 2, 3], retain: false);
        outbox.Enqueue(OutboxKind.Compliance, "t/compliance", "b", [4], retain: true);

        var reopened = Create(dir, 100);
        var pending = reopened.Peek(10);
        Assert.Equal(["a", "b"], pending.Select(m => m.Id));
        Assert.Equal([1, 2, 3], pending[0].Payload);
        Assert.True(pending[1].Retain);
        reopened.Delete(first.Seq);
        Assert.Equal(["b"], Create(dir, 100).Peek(10).Select(m => m.Id));
    }

    [Fact]
    public void Ids_are_unique_and_time_ordered()
    {
        var ids = Enumerable.Range(0, 1000).Select(_ => Outbox.NewId()).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }
}
