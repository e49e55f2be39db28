using EdgeAgent.Configuration;
using EdgeAgent.Contract.Vocabulary;

namespace EdgeAgent.Lessons;

/// <summary>The lessons floor's check of a configuration: its timetables and (for <c>bookingsSource: config</c>) its bookings.</summary>
public static class LessonConfig
{
    /// <summary>Every problem of <c>lessons.timetables</c> and <c>lessons.bookings</c>, each naming its path.</summary>
    public static IEnumerable<ConfigError> Check(AgentOptions o)
    {
        var l = o.Lessons;
        LessonBook.Build(o.School, o.Role, l.Timetables, l.BookingsSource == BookingsSource.Config ? l.Bookings : [], "config", out var problems);
        foreach (var e in problems)
        {
            var colon = e.IndexOf(": ", StringComparison.Ordinal);
            yield return new ConfigError(e[..colon], e[(colon + 2)..]);
        }
    }
}
