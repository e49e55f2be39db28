using System.Reflection;

namespace EdgeAgent.Kernel;

public static class AgentVersion
{
    /// <summary>The version from Directory.Build.props, without the source-revision suffix.</summary>
    public static string Current { get; } =
        (typeof(AgentVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0")
        .Split('+')[0];
}
