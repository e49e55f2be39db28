namespace EdgeAgent.Ctl.Fleet;

/// <summary>A room as technicians name it: <c>region/school/room</c>, e.g. <c>zj-jinhua/lanxi-wuxi-ps/room-301</c>.</summary>
public sealed record RoomAddress(string Region, string School, string Room)
{
    public string Root => $"edu/{Region}/{School}/{Room}/edgeagent";

    public override string ToString() => $"{Region}/{School}/{Room}";

    public static RoomAddress Parse(string text)
    {
        var parts = text.Trim().Trim('/').Split('/');
        if (parts.Length != 3 || parts.Any(p => p.Length == 0 || p.IndexOfAny(['+', '#', '\0', ' ']) >= 0))
            throw new Broker.CtlException($"edgeagent-ctl: '{text}' is not a room: write region/school/room (as `edgeagent-ctl rooms` lists them)", Broker.CtlExit.Usage);
        return new RoomAddress(parts[0], parts[1], parts[2]);
    }

    /// <summary>The room of a topic <c>edu/{region}/{school}/{room}/edgeagent/...</c>, and the rest after it.</summary>
    public static (RoomAddress Room, string Suffix)? FromTopic(string topic)
    {
        var parts = topic.Split('/');
        if (parts.Length < 6 || parts[0] != "edu" || parts[4] != "edgeagent") return null;
        return (new RoomAddress(parts[1], parts[2], parts[3]), string.Join('/', parts[5..]));
    }
}
