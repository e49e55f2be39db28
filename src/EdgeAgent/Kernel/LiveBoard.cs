using EdgeAgent.Contract.Payloads;

namespace EdgeAgent.Kernel;

/// <summary>
/// The live lesson as the room shows it to technicians: written by the lessons floor, read by telemetry for the
/// <c>health</c> document, so that neither knows the other. <see cref="Changed"/> fires on what a technician must see
/// at once (a lesson starts or ends, the stream's state, uplink or rung changes, a heal); the figures in between go with the
/// heartbeat.
/// </summary>
public sealed class LiveBoard
{
    private LiveLessonHealth? _lesson;

    public event Action? Changed;

    public LiveLessonHealth? Lesson => Volatile.Read(ref _lesson);

    public void Show(LiveLessonHealth? lesson)
    {
        var before = Interlocked.Exchange(ref _lesson, lesson);
        var notable = (before is null) != (lesson is null)
            || before?.Id != lesson?.Id
            || before?.Stream?.State != lesson?.Stream?.State
            || before?.Stream?.UplinkUp != lesson?.Stream?.UplinkUp
            || before?.Stream?.Restarts != lesson?.Stream?.Restarts
            || before?.Stream?.Link?.Rung != lesson?.Stream?.Link?.Rung
            || before?.Playback?.State != lesson?.Playback?.State
            || before?.Playback?.PlayerRestarts != lesson?.Playback?.PlayerRestarts
            || before?.Heals?.Count != lesson?.Heals?.Count;
        if (notable) Changed?.Invoke();
    }
}
