using System.Globalization;
using EdgeAgent.Configuration;
using EdgeAgent.Lessons;

namespace EdgeAgent.Compliance.Probes;

/// <summary>Days of lessons the recording volume can still hold: free bytes over (stream bitrate × the timetable's lesson hours per day).</summary>
public sealed class RecordingSpaceProbe(AgentOptions options, Func<LessonBook> book, TimeProvider time, Func<string, long>? freeBytes = null) : IComplianceProbe
{
    /// <summary>Without a timetable: six 40-minute lessons a day.</summary>
    public static readonly TimeSpan DefaultLessonTimePerDay = TimeSpan.FromMinutes(6 * 40);

    public string Name => "recording";
    public IReadOnlyList<string> Metrics => ["recording.days"];

    public Task<IReadOnlyList<Measurement>> MeasureAsync(CancellationToken ct)
    {
        var dir = options.Recording.Directory;
        var probeDir = dir;
        while (!Directory.Exists(probeDir) && Path.GetDirectoryName(probeDir) is { } parent) probeDir = parent;
        long free;
        try
        {
            free = (freeBytes ?? (d => new DriveInfo(d).AvailableFreeSpace))(probeDir);
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException)
        {
            return Task.FromResult<IReadOnlyList<Measurement>>([Measurement.Unknown("recording.days", $"cannot read free space of {dir}: {e.Message}")]);
        }
        var own = book().Own;
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(time.GetUtcNow(), own?.Zone ?? Contract.Time.SchoolTime.ChinaStandardTime).DateTime);
        var periods = own?.ScheduleOn(today)?.Periods;
        var perDay = periods is { Count: > 0 } ? TimeSpan.FromTicks(periods.Sum(p => p.Length.Ticks)) : DefaultLessonTimePerDay;
        var bytesPerSecond = (options.Stream.VideoBitrateKbps + options.Stream.AudioBitrateKbps) * 1000.0 / 8;
        var perDayBytes = bytesPerSecond * perDay.TotalSeconds;
        var days = free / perDayBytes;
        var basis = periods is { Count: > 0 } ? $"{periods.Count} periods, {perDay.TotalHours:0.##} h a day" : "no timetable: 6 × 40 min a day assumed";
        return Task.FromResult<IReadOnlyList<Measurement>>([Measurement.Of("recording.days", Math.Round(days, 2),
            string.Create(CultureInfo.InvariantCulture, $"{free / 1_048_576} MiB free on {probeDir}; {perDayBytes / 1_048_576:0} MiB per lesson day at {options.Stream.VideoBitrateKbps + options.Stream.AudioBitrateKbps} kbit/s ({basis})"))]);
    }
}
