using System.Reflection;
using System.Text.RegularExpressions;
using EdgeAgent.Tests.TestSupport;
using NetArchTest.Rules;

namespace EdgeAgent.Tests.Architecture;

/// <summary>
/// The agent's folders are floors (README, "Layout"): a floor uses the ones below it and never one above. The contract
/// is the ground floor of every program; edgeagent-ctl knows the contract and the client library, not the agent.
/// </summary>
public class FloorsTests
{
    /// <summary>Bottom to top. Service (host wiring) and Cli (the command line) are the composition roots.</summary>
    public static readonly string[] Floors =
        ["Kernel", "Configuration", "State", "Devices", "Media", "Lessons", "Recordings", "Compliance", "Healing", "Updates", "Diagnostics", "Telemetry", "Service", "Cli"];

    private static readonly Assembly Agent = typeof(EdgeAgent.Service.AgentHost).Assembly;

    public static TheoryData<string> EveryFloor() => new(Floors);

    [Theory]
    [MemberData(nameof(EveryFloor))]
    public void A_floor_never_uses_a_floor_above_it(string floor)
    {
        var above = Floors.SkipWhile(f => f != floor).Skip(1).Select(f => $"EdgeAgent.{f}").ToArray();
        if (above.Length == 0) return;
        var result = Types.InAssembly(Agent).That().ResideInNamespace($"EdgeAgent.{floor}").ShouldNot().HaveDependencyOnAny(above).GetResult();
        Assert.True(result.IsSuccessful, $"{floor} uses a floor above it: {string.Join(", ", result.FailingTypeNames ?? [])}");
    }

    [Fact]
    public void Telemetry_knows_the_contract_and_interfaces_not_lessons_media_compliance_or_the_handlers()
    {
        var result = Types.InAssembly(Agent).That().ResideInNamespace("EdgeAgent.Telemetry").ShouldNot()
            .HaveDependencyOnAny("EdgeAgent.Lessons", "EdgeAgent.Media", "EdgeAgent.Compliance", "EdgeAgent.Diagnostics").GetResult();
        Assert.True(result.IsSuccessful, $"Telemetry reaches up: {string.Join(", ", result.FailingTypeNames ?? [])}");
    }

    [Fact]
    public void Every_agent_namespace_is_one_of_the_floors()
    {
        var namespaces = Agent.GetTypes().Select(t => t.Namespace).OfType<string>().Where(n => n.StartsWith("EdgeAgent", StringComparison.Ordinal))
            .Select(n => n.Split('.').ElementAtOrDefault(1)).Distinct().ToList();
        Assert.All(namespaces, n => Assert.Contains(n, Floors));
    }

    [Fact]
    public void The_contract_depends_on_nothing_of_ours_and_ctl_not_on_the_agent()
    {
        var contract = typeof(EdgeAgent.Contract.Topics.TopicTree).Assembly;
        Assert.DoesNotContain(contract.GetReferencedAssemblies(), a => a.Name!.StartsWith("EdgeAgent", StringComparison.Ordinal)
            || a.Name!.StartsWith("edgeagent", StringComparison.Ordinal) || a.Name == "MQTTnet");
        var ctl = typeof(EdgeAgent.Ctl.CtlCli).Assembly;
        Assert.DoesNotContain(ctl.GetReferencedAssemblies(), a => a.Name == Agent.GetName().Name);
    }

    /// <summary>The office service's floors, bottom to top: Configuration, Accounts, Fleet, Alerts, Reports, Metrics, Console; Hosting wires them.</summary>
    public static readonly string[] OfficeFloors = ["Configuration", "Accounts", "Fleet", "Alerts", "Reports", "Metrics", "Console", "Hosting"];

    public static TheoryData<string> EveryOfficeFloor() => new(OfficeFloors);

    [Theory]
    [MemberData(nameof(EveryOfficeFloor))]
    public void An_office_floor_never_uses_a_floor_above_it(string floor)
    {
        var office = typeof(EdgeAgent.Office.Hosting.OfficeHost).Assembly;
        // Hosting's collector service is the one thing below it uses (the alert engine and the metrics read its counters).
        var above = OfficeFloors.SkipWhile(f => f != floor).Skip(1).Where(f => f != "Hosting" || floor is not ("Alerts" or "Metrics"))
            .Select(f => $"EdgeAgent.Office.{f}").ToArray();
        if (above.Length == 0) return;
        var result = Types.InAssembly(office).That().ResideInNamespace($"EdgeAgent.Office.{floor}").ShouldNot().HaveDependencyOnAny(above).GetResult();
        Assert.True(result.IsSuccessful, $"{floor} uses a floor above it: {string.Join(", ", result.FailingTypeNames ?? [])}");
    }

    [Fact]
    public void The_office_and_ctl_share_the_store_not_the_agent_and_ctl_carries_no_aspnet()
    {
        var office = typeof(EdgeAgent.Office.Hosting.OfficeHost).Assembly;
        var ctl = typeof(EdgeAgent.Ctl.CtlCli).Assembly;
        var store = typeof(EdgeAgent.Office.Store.OfficeStore).Assembly;
        Assert.DoesNotContain(office.GetReferencedAssemblies(), a => a.Name == Agent.GetName().Name);
        Assert.DoesNotContain(store.GetReferencedAssemblies(), a => a.Name!.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
        Assert.DoesNotContain(ctl.GetReferencedAssemblies(), a => a.Name!.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) || a.Name == office.GetName().Name);
    }

    [Fact]
    public void The_topic_root_format_is_written_in_one_file()
    {
        var src = Path.Combine(TestConfig.RepoRoot, "src");
        var files = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal))
            .Where(f => Regex.IsMatch(File.ReadAllText(f), @"""edu/|\$""edu/|\}/edgeagent|edgeagent/\{"))
            .Select(f => Path.GetRelativePath(src, f)).ToList();
        Assert.Equal(["EdgeAgent.Contract/Topics/TopicTree.cs"], files);
    }

    [Fact]
    public void Every_event_type_of_the_contract_is_raised_by_the_agent()
    {
        var src = Path.Combine(TestConfig.RepoRoot, "src", "EdgeAgent");
        var code = string.Join('\n', Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories).Where(f => !f.Contains("/obj/", StringComparison.Ordinal)).Select(File.ReadAllText));
        var names = typeof(EventTypes).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral).Select(f => f.Name).ToList();
        Assert.Equal(EventTypes.All.Length, names.Count);
        var silent = names.Where(n => !Regex.IsMatch(code, $@"EventTypes\.{n}\b")).ToList();
        Assert.True(silent.Count == 0, $"documented but never raised: {string.Join(", ", silent)}");
        // and no event raised as a bare string
        Assert.DoesNotMatch(new Regex(@"Raise\(\s*""|StreamEvent\(\s*"""), code);
    }
}
