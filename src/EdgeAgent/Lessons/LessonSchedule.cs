namespace EdgeAgent.Lessons;

/// <summary>
/// A booking placed in time: when the room is prepared, when the stream starts and ends. A synchronized lesson
/// runs in the window both schools share (<see cref="ClashCheck"/>); other forms run in this school's period.
/// A clash is still planned (in whatever window there is) and reported, so that a teacher can decide.
/// </summary>
public sealed record PlannedLesson(Booking Booking, DateTimeOffset PrepareAt, DateTimeOffset Start, DateTimeOffset End, SharedWindow? Shared)
{
    public bool IsClash => Shared?.IsClash == true;
    public TimeSpan Length => End - Start;
}

public static class LessonSchedule
{
    /// <summary>The plan of one booking, or null when it cannot be placed (no period that day at this school).</summary>
    public static PlannedLesson? Plan(LessonBook book, Booking booking, TimeSpan prepare, TimeSpan minimumOverlap)
    {
        if (book.Own?.Window(booking.Date, booking.Period) is not { } own) return null;
        SharedWindow? shared = null;
        var (start, end) = own;
        if (booking.IsSynchronized && booking.PartnerSchool is { } partner && book.Timetables.TryGetValue(partner, out var theirs))
        {
            shared = ClashCheck.Check(book.Own, theirs, booking.Date, booking.Period, minimumOverlap);
            if (shared.Start is { } s && shared.End is { } e) (start, end) = (s, e);
        }
        return new PlannedLesson(booking, start - prepare, start, end, shared);
    }

    /// <summary>Every booking whose window ends after <paramref name="from"/> and starts before <paramref name="to"/>, in time order.</summary>
    public static IReadOnlyList<PlannedLesson> Between(LessonBook book, DateTimeOffset from, DateTimeOffset to, TimeSpan prepare, TimeSpan minimumOverlap) =>
        book.Bookings
            .Select(b => Plan(book, b, prepare, minimumOverlap))
            .OfType<PlannedLesson>()
            .Where(p => p.End > from && p.Start < to)
            .OrderBy(p => p.Start)
            .ToList();

    /// <summary>Every booking whose lesson has not ended by <paramref name="from"/> and starts within <paramref name="days"/> days, in time order.</summary>
    public static IReadOnlyList<PlannedLesson> Upcoming(LessonBook book, DateTimeOffset from, int days, TimeSpan prepare, TimeSpan minimumOverlap) =>
        book.Bookings
            .Select(b => Plan(book, b, prepare, minimumOverlap))
            .OfType<PlannedLesson>()
            .Where(p => p.End > from && p.Start < from.AddDays(days))
            .OrderBy(p => p.Start)
            .ToList();
}
