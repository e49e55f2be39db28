using EdgeAgent.Configuration;
using EdgeAgent.Kernel;
using EdgeAgent.Contract.Vocabulary;
using EdgeAgent.State;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Lessons;

/// <summary>
/// The room's current <see cref="LessonBook"/>, from the source the config names: the config file itself; the
/// retained <c>config/timetable</c> message (the last accepted document is kept in the state database, so a restart
/// without the broker still knows the lessons); or an iCalendar feed. A document that fails validation is rejected
/// with a <c>timetable-rejected</c> event naming the problems, and the previous book stays.
/// </summary>
public sealed partial class BookingSource : IOfficeDocumentReceiver
{
    private readonly AgentOptions _options;
    private readonly LessonStore _store;
    private readonly EventSink _events;
    private readonly ILogger<BookingSource> _log;
    private LessonBook? _current;

    public BookingSource(AgentOptions options, LessonStore store, EventSink events, ILogger<BookingSource> log)
    {
        _options = options;
        _store = store;
        _events = events;
        _log = log;
    }

    /// <summary>
    /// Loaded on first use (constructors run before the host starts, when the state database may not be migrated
    /// yet): the config's book, or for <c>mqtt</c> the last accepted document.
    /// </summary>
    public LessonBook Current
    {
        get
        {
            if (_current is null)
            {
                var lessons = _options.Lessons;
                var current = FromConfig(_options) ?? LessonBook.Empty(_options.School);
                if (lessons.BookingsSource == BookingsSource.Mqtt && _store.LoadBookingsDocument() is { } saved
                    && LessonBook.FromJson(_options.School, _options.Role, saved.Json, lessons.Timetables, out _) is { } book)
                    current = book;
                _current = current;
            }
            return _current;
        }
    }
    public event Action<LessonBook>? Changed;

    /// <summary>The book from the config file (timetables always; bookings when the source is config); null if invalid.</summary>
    public static LessonBook? FromConfig(AgentOptions options)
    {
        var l = options.Lessons;
        var bookings = l.BookingsSource == BookingsSource.Config ? l.Bookings : [];
        return LessonBook.Build(options.School, options.Role, l.Timetables, bookings, "config", out _);
    }

    /// <summary>Validates a timetable document and makes it current; false (with an event) if it is rejected.</summary>
    public bool Accept(byte[] json, string source)
    {
        var book = LessonBook.FromJson(_options.School, _options.Role, json, _options.Lessons.Timetables, out var errors);
        if (book is null)
        {
            var detail = $"timetable document from {source} rejected, previous bookings kept: {string.Join("; ", errors.Take(10))}";
            LogRejected(detail);
            _events.Raise(EventTypes.TimetableRejected, Severity.Warning, null, detail);
            return false;
        }
        try
        {
            _store.SaveBookingsDocument(source, json);
        }
        catch (Microsoft.Data.Sqlite.SqliteException e)
        {
            // In force now; the broker keeps the retained document, so a restart gets it again.
            LogNotKept(e.Message);
        }
        Replace(book);
        return true;
    }

    public string Suffix => EdgeAgent.Contract.Topics.Suffix.ConfigTimetable;

    /// <summary>The office's retained timetable document: taken when the bookings come from MQTT, ignored otherwise.</summary>
    public void Receive(byte[] payload)
    {
        if (_options.Lessons.BookingsSource == BookingsSource.Mqtt) Accept(payload, "mqtt");
    }

    /// <summary>Bookings from another source (iCalendar) on the current timetables.</summary>
    public void Replace(LessonBook book)
    {
        _current = book;
        LogBookings(book.Bookings.Count, book.Source);
        Changed?.Invoke(book);
    }

    [LoggerMessage(EventId = 5301, Level = LogLevel.Warning, Message = "{Detail}")]
    private partial void LogRejected(string detail);

    [LoggerMessage(EventId = 5304, Level = LogLevel.Warning, Message = "The timetable document is in force but not kept in the state database ({Reason})")]
    private partial void LogNotKept(string reason);

    [LoggerMessage(EventId = 5302, Level = LogLevel.Information, Message = "Lessons: {Count} booking(s) from {Source}")]
    private partial void LogBookings(int count, string source);
}
