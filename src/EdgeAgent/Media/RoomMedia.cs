using EdgeAgent.Media.Play;

namespace EdgeAgent.Media;

/// <summary>The room's two media directions for a lesson: what it sends (and records), and the partner it plays.</summary>
public sealed class RoomMedia(StreamService send, PlaybackService play)
{
    public StreamService Send => send;
    public PlaybackService Play => play;
}
