namespace EdgeAgent.Kernel;

/// <summary>
/// A capability that takes one kind of office document (<c>config/policy</c>, <c>config/timetable</c>, ...) retained
/// for the room. The MQTT link hands each document to the capability whose suffix it names, and knows nothing else
/// of it: data flows down from the link, never up into it.
/// </summary>
public interface IOfficeDocumentReceiver
{
    /// <summary>The suffix under the room's root, e.g. <c>config/timetable</c>.</summary>
    string Suffix { get; }

    /// <summary>Validates and adopts the document, or rejects it whole (with an event). Never throws for a bad document.</summary>
    void Receive(byte[] payload);
}
