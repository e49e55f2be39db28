namespace EdgeAgent.Contract.Vocabulary;

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

    /// <summary>The form's name on the office's monthly form.</summary>
    public static readonly IReadOnlyDictionary<string, string> Chinese = new Dictionary<string, string>
    {
        [SyncClassroom] = "城乡同步课堂",
        [RemoteDelivery] = "远程专递课堂",
        [FamousTeacher] = "名师网络课堂",
        [TeacherResearch] = "教师网络研修",
    };
}

/// <summary>The subjects the monthly report counts (seed 000).</summary>
public static class Subjects
{
    public static readonly string[] All = ["chinese", "maths", "english", "science", "morality", "music", "pe", "art", "labour-it", "extension", "other"];
}

/// <summary>What became of a booked or ad-hoc lesson (lesson record <c>status</c>).</summary>
public static class LessonStatus
{
    /// <summary>Streamed for at least <c>lessons.completedPercent</c> of the planned window.</summary>
    public const string Completed = "completed";
    /// <summary>At least <c>lessons.partialPercent</c>: still counted.</summary>
    public const string Partial = "partial";
    /// <summary>Less, or the stream never started.</summary>
    public const string Failed = "failed";
    /// <summary>Started by hand with nothing booked.</summary>
    public const string Adhoc = "adhoc";
    /// <summary>A booked period that never ran (the agent was not running, or the lesson could not start): the reason says which.</summary>
    public const string Missed = "missed";

    public static readonly string[] All = [Completed, Partial, Failed, Adhoc, Missed];

    /// <summary>Only these count towards the programme's targets.</summary>
    public static bool Counts(string status) => status is Completed or Partial;
}
