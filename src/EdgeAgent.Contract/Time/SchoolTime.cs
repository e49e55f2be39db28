using System.Globalization;

namespace EdgeAgent.Contract.Time;

/// <summary>
/// The one rule for times that people read: school time with its offset ("2022-11-14T08:30:00+08:00"), in payloads,
/// records, tables and reports alike. Schools of the programme are in China Standard Time.
/// </summary>
public static class SchoolTime
{
    /// <summary>Asia/Shanghai from the system's tzdata, or UTC+8 (no daylight saving) where tzdata is missing.</summary>
    public static TimeZoneInfo ChinaStandardTime { get; } = LoadChina();

    private static TimeZoneInfo LoadChina()
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return TimeZoneInfo.CreateCustomTimeZone("Asia/Shanghai", TimeSpan.FromHours(8), "China Standard Time", "CST");
        }
    }

    /// <summary>The same instant in school time (China Standard Time unless the school's zone is given).</summary>
    public static DateTimeOffset Of(DateTimeOffset instant, TimeZoneInfo? zone = null) => TimeZoneInfo.ConvertTime(instant, zone ?? ChinaStandardTime);

    /// <summary>To the second with the offset, e.g. "2022-11-14T08:30:00+08:00".</summary>
    public static string Seconds(DateTimeOffset instant, TimeZoneInfo? zone = null) =>
        Of(instant, zone).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    /// <summary>For tables: "2022-11-14 08:30" in school time.</summary>
    public static string Minutes(DateTimeOffset instant, TimeZoneInfo? zone = null) =>
        Of(instant, zone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    /// <summary>For tables: "2022-11-14 08:30" in school time, or "-" when there is no time.</summary>
    public static string Minutes(DateTimeOffset? instant) => instant is { } t ? Minutes(t) : "-";

    /// <summary>The school-local date of an instant.</summary>
    public static DateOnly Date(DateTimeOffset instant, TimeZoneInfo? zone = null) => DateOnly.FromDateTime(Of(instant, zone).DateTime);
}
