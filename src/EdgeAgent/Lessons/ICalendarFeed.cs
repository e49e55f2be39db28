using EdgeAgent.Configuration;
using EdgeAgent.Contract.Vocabulary;
using EdgeAgent.State;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Lessons;

/// <summary>
/// Feeds <see cref="BookingSource"/> from an iCalendar file or URL when <c>lessons.bookingsSource</c> is <c>ical</c>:
/// read at start and every <c>lessons.icalRefreshMinutes</c>. (The office's <c>config/timetable</c> document reaches
/// the booking source directly: it is an <c>IOfficeDocumentReceiver</c>.)
/// </summary>
public sealed partial class ICalendarFeed(AgentOptions options, BookingSource bookings, EventSink events, TimeProvider time,
    ILogger<ICalendarFeed> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Lessons.BookingsSource != BookingsSource.Ical) return;
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(options.Lessons.IcalRefreshMinutes), time);
        try
        {
            do
            {
                await ReadIcalAsync(stoppingToken).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task ReadIcalAsync(CancellationToken ct)
    {
        var location = options.Lessons.Ical!;
        string text;
        try
        {
            if (location.StartsWith("http://", StringComparison.Ordinal) || location.StartsWith("https://", StringComparison.Ordinal))
            {
                using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
                text = await http.GetStringAsync(new Uri(location), ct).ConfigureAwait(false);
            }
            else text = await File.ReadAllTextAsync(location, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or HttpRequestException or UnauthorizedAccessException or TaskCanceledException)
        {
            LogUnreadable(location, e.Message);
            return;
        }
        var parsed = ICalendarBookings.Parse(text, options.School, options.Role, options.Lessons.Timetables, time.GetUtcNow(), out var errors);
        if (parsed is null)
        {
            events.Raise(EventTypes.TimetableRejected, Severity.Warning, null,
                $"iCalendar feed {location} rejected, previous bookings kept: {string.Join("; ", errors.Take(10))}");
            return;
        }
        bookings.Replace(parsed);
    }

    [LoggerMessage(EventId = 5303, Level = LogLevel.Warning, Message = "Cannot read the iCalendar feed {Location}: {Reason}; previous bookings kept")]
    private partial void LogUnreadable(string location, string reason);
}
