using EdgeAgent.Configuration;

namespace EdgeAgent.Healing;

/// <summary>The healing floor's check of a configuration: a <c>playbooks.file</c> is validated against the room's devices at start.</summary>
public static class PlaybookConfig
{
    public static IEnumerable<ConfigError> Check(AgentOptions o)
    {
        if (o.Playbooks.File is not { } file || !File.Exists(file)) yield break;
        string text;
        try
        {
            text = File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            text = "";
        }
        if (text.Length == 0)
        {
            yield return new ConfigError("playbooks.file", $"{file} cannot be read or is empty");
            yield break;
        }
        if (PlaybookParser.Parse(text, PlaybookSource.RoomOf(o), out var errors) is null)
            foreach (var e in errors) yield return new ConfigError("playbooks.file", $"{file}: {e}");
    }
}
