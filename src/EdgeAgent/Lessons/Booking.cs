namespace EdgeAgent.Lessons;

/// <summary>The four forms of paired-school activity the programme counts (seed 000/003).</summary>
public static class LessonForms
{
    /// <summary>城乡同步课堂: one teacher, both classes, live.</summary>
    public const string SyncClassroom = "SyncClassroom";
    /// <summary>远程专递课堂: a course delivered to the weaker school.</summary>
    public const string RemoteDelivery = "RemoteDelivery";
    /// <summary>教师网络研修: joint lesson preparation and research.</summary>
    public const string TeacherResearch = "TeacherResearch";
    /// <summary>名师网络课堂: a famous teacher's lesson.</summary>
    public const string FamousTeacher = "FamousTeacher";

    public static readonly string[] All = [SyncClassroom, RemoteDelivery, TeacherResearch, FamousTeacher];
}

public static class Subjects
{
    public static readonly string[] All = ["chinese", "maths", "english", "science", "morality", "music", "pe", "art", "labour-it", "extension", "other"];
}

/// <summary>A lesson booked on a date and period of this room's school.</summary>
public sealed record Booking(
    string Id, DateOnly Date, string Period, string Form, string Subject, string Role,
    string? PartnerSchool, string? PartnerRoom, string? Teacher, string? Class, int Students)
{
    public bool IsSynchronized => Form == LessonForms.SyncClassroom;
}
