namespace EdgeAgent.Contract.Payloads;

/// <summary>
/// On <c>recording-uploaded</c>: where the office finds a lesson's file and what it is — the lesson record's id, the
/// file's name, its URL, size and SHA-256, segments left out as unreadable, and how the storage confirmed it.
/// </summary>
public sealed record RecordingReport(string Lesson, string File, string Url, long Bytes, string Sha256, int Skipped, string CheckedBy);
