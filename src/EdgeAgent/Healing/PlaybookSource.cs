using EdgeAgent.Configuration;
using EdgeAgent.Contract.Vocabulary;
using EdgeAgent.Kernel;
using EdgeAgent.State;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Healing;

/// <summary>
/// The playbooks in force: the office's last <c>config/playbooks</c> (kept in the state database), else
/// <c>playbooks.file</c>, else the built-in default (<c>Healing/default-playbooks.json</c>). A document that fails
/// validation raises <c>playbooks-rejected</c> naming every problem, and the playbooks in force stay.
/// </summary>
public sealed partial class PlaybookSource : IOfficeDocumentReceiver
{
    private readonly AgentOptions _options;
    private readonly KeptDocument _kept;
    private readonly ILogger<PlaybookSource> _log;
    private readonly EventSink? _events;
    private PlaybookSet? _current;

    public PlaybookSource(AgentOptions options, StateDatabase database, TimeProvider time, ILogger<PlaybookSource> log, EventSink? events = null)
    {
        _options = options;
        _kept = new KeptDocument(database, KeptDocument.Kind.Playbooks, time);
        _log = log;
        _events = events;
        Room = RoomOf(options);
    }

    /// <summary>This room's devices, as documents are checked against them.</summary>
    public RoomDevices Room { get; }

    public static RoomDevices RoomOf(AgentOptions options) => new(
        options.Devices.ToDictionary(d => d.Id, d => d.Kind, StringComparer.Ordinal),
        (options.Gpio?.PowerRelays?.Keys ?? Enumerable.Empty<string>()).ToHashSet(StringComparer.Ordinal));

    /// <summary>The built-in playbooks, checked against <paramref name="room"/>.</summary>
    public static PlaybookSet Default(RoomDevices room)
    {
        using var stream = typeof(PlaybookSource).Assembly.GetManifestResourceStream("EdgeAgent.Healing.default-playbooks.json")
            ?? throw new InvalidOperationException("the default playbooks are not embedded");
        using var reader = new StreamReader(stream);
        return PlaybookParser.Parse(reader.ReadToEnd(), room, out var errors)
            ?? throw new InvalidOperationException("the default playbooks are invalid: " + string.Join("; ", errors));
    }

    /// <summary>Loaded on first use: the state database is migrated by then.</summary>
    public PlaybookSet Current
    {
        get
        {
            if (_current is null)
            {
                var current = Default(Room);
                if (_options.Playbooks.File is { } file)
                {
                    // Checked when the configuration was loaded; a file changed since is judged like an office document.
                    if (PlaybookParser.Parse(File.ReadAllText(file), Room, out var errors) is { } fromFile) current = fromFile;
                    else Reject($"playbooks file {file}", errors, current);
                }
                string? saved = null;
                try
                {
                    saved = _kept.Read();
                }
                catch (Microsoft.Data.Sqlite.SqliteException)
                {
                    // unreadable (a full disk at start): the file's or the default, until the office's arrives again
                }
                if (saved is not null && PlaybookParser.Parse(saved, Room, out _) is { } pushed) current = pushed;
                _current = current;
            }
            return _current;
        }
    }

    public string Suffix => Contract.Topics.Suffix.ConfigPlaybooks;

    public void Receive(byte[] payload) => Accept(System.Text.Encoding.UTF8.GetString(payload), "config/playbooks");

    /// <summary>Validates and adopts a playbooks document; false (with an event naming every problem) if rejected.</summary>
    public bool Accept(string json, string source)
    {
        var set = PlaybookParser.Parse(json, Room, out var errors);
        if (set is null)
        {
            Reject(source, errors, Current);
            return false;
        }
        try
        {
            _kept.Keep(json);
        }
        catch (Microsoft.Data.Sqlite.SqliteException e)
        {
            LogNotKept(e.Message);
        }
        _current = set;
        LogAdopted(set.Id, set.Version, source, set.Playbooks.Count);
        return true;
    }

    private void Reject(string source, List<string> errors, PlaybookSet inForce)
    {
        var detail = $"playbooks from {source} rejected, {inForce.Id} {inForce.Version} stays in force: {string.Join("; ", errors.Take(20))}";
        LogRejected(detail);
        _events?.Raise(EventTypes.PlaybooksRejected, Severity.Warning, null, detail);
    }

    [LoggerMessage(EventId = 8001, Level = LogLevel.Information, Message = "Playbooks {Id} {Version} from {Source} in force ({Count} playbooks)")]
    private partial void LogAdopted(string id, string version, string source, int count);

    [LoggerMessage(EventId = 8002, Level = LogLevel.Warning, Message = "{Detail}")]
    private partial void LogRejected(string detail);

    [LoggerMessage(EventId = 8003, Level = LogLevel.Warning, Message = "The playbooks are in force but not kept in the state database ({Reason})")]
    private partial void LogNotKept(string reason);
}
