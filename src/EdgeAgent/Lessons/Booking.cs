using EdgeAgent.Contract.Vocabulary;

namespace EdgeAgent.Lessons;

/// <summary>A lesson booked on a date and period of this room's school (validated from a <c>BookingSpec</c>).</summary>
public sealed record Booking(
    string Id, DateOnly Date, string Period, string Form, string Subject, RoomRole Role,
    string? PartnerSchool, string? PartnerRoom, string? Teacher, string? Class, int Students)
{
    public bool IsSynchronized => Form == LessonForms.SyncClassroom;
}
