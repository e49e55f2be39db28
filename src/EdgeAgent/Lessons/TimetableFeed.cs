using EdgeAgent.Configuration;
using EdgeAgent.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Lessons;

/// <summary>
/// Feeds <see cref="BookingSource"/> from outside: the retained <c>config/timetable</c> message when
/// <c>lessons.bookingsSource</c> is <c>mqtt</c>, or the iCalendar file/URL, read at start and every
/// <c>lessons.icalRefreshMinutes</c>, when it is <c>ical</c>.
/// </summary>
public sealed class TimetableFeed(AgentOptions options, BookingSource bookings, MqttLink link, Topics topics, EventSink events, TimeProvider time,
    ILogger<TimetableFeed> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        switch (options.Lessons.BookingsSource)
        {
            case "mqtt":
                link.ConfigReceived += (topic, payload) =>
                {
                    if (topic == topics.ConfigTimetable) bookings.Accept(payload, "mqtt");
                };
                break;
            case "ical":
                using (var timer = new PeriodicTimer(TimeSpan.FromMinutes(options.Lessons.IcalRefreshMinutes), time))
                {
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
                break;
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
            log.LogWarning("Cannot read the iCalendar feed {Location}: {Reason}; previous bookings kept", location, e.Message);
            return;
        }
        var parsed = ICalendarBookings.Parse(text, options.School, options.Role, options.Lessons.Timetables, time.GetUtcNow(), out var errors);
        if (parsed is null)
        {
            events.Raise(EventTypes.TimetableRejected, "warning", null,
                $"iCalendar feed {location} rejected, previous bookings kept: {string.Join("; ", errors.Take(10))}");
            return;
        }
        bookings.Replace(parsed);
    }
}
