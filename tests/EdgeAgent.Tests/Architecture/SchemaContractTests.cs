using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using EdgeAgent.Contract.Commands;
using EdgeAgent.Contract.Json;
using EdgeAgent.Tests.TestSupport;

namespace EdgeAgent.Tests.Architecture;

/// <summary>
/// The JSON Schemas in <c>schemas/</c> are held against the contract's records, so that the two cannot drift: at every
/// level an object's properties are exactly the record's JSON properties, lists hold what the record lists, and the
/// closed vocabularies (event types, lesson statuses, severities) are the contract's. The command schema names every
/// command of the allow-list with exactly its arguments.
/// </summary>
public class SchemaContractTests
{
    public static TheoryData<string, Type> Documents() => new()
    {
        { "edgeagent.state.v1.json", typeof(StatePayload) },
        { "edgeagent.health.v1.json", typeof(HealthPayload) },
        { "edgeagent.event.v1.json", typeof(EventPayload) },
        { "edgeagent.reply.v1.json", typeof(ReplyPayload) },
        { "edgeagent.lesson.v1.json", typeof(LessonRecord) },
        { "edgeagent.tallies.v1.json", typeof(Tallies) },
        { "edgeagent.compliance.v1.json", typeof(ComplianceReport) },
        { "edgeagent.policy.v1.json", typeof(PolicyDocument) },
        { "edgeagent.timetable.v1.json", typeof(TimetableDocument) },
        { "edgeagent.playbooks.v1.json", typeof(PlaybooksDocument) },
        { "edgeagent.update-policy.v1.json", typeof(UpdatePolicyDocument) },
        { "edgeagent.update.v1.json", typeof(UpdateStatus) },
    };

    private static JsonObject Load(string file) => (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(TestConfig.RepoRoot, "schemas", file)))!;

    [Theory]
    [MemberData(nameof(Documents))]
    public void Each_schema_has_exactly_the_properties_of_its_record_at_every_level(string file, Type type)
    {
        var root = Load(file);
        var problems = new List<string>();
        Compare(root, root, type, "$", problems);
        Assert.True(problems.Count == 0, $"{file} and {type.Name} differ:\n{string.Join("\n", problems)}");
    }

    [Fact]
    public void Vocabularies_in_the_schemas_are_the_contracts()
    {
        Assert.Equal(EventTypes.All.Order(), Words(Load("edgeagent.event.v1.json")["properties"]!["type"]!).Order());
        Assert.Equal(Severity.All.Order(), Words(Load("edgeagent.event.v1.json")["properties"]!["severity"]!).Order());
        Assert.Equal(LessonStatus.All.Order(), Words(Load("edgeagent.lesson.v1.json")["properties"]!["status"]!).Order());
        Assert.Equal(Verdicts.All.Order(), Words(Load("edgeagent.compliance.v1.json")["properties"]!["verdict"]!).Order());
        Assert.Equal(UpdateStates.All.Order(), Words(Load("edgeagent.update.v1.json")["properties"]!["state"]!).Order());
        Assert.Equal(UpdateOutcomes.All.Order(), Words(Load("edgeagent.update.v1.json")["properties"]!["last"]!["properties"]!["outcome"]!).Order());
        var playbook = Load("edgeagent.playbooks.v1.json")["definitions"]!["playbook"]!["properties"]!;
        Assert.Equal(HealTriggers.All.Order(), Words(playbook["trigger"]!["properties"]!["on"]!).Order());
        Assert.Equal(HealActions.All.Order(), Words(playbook["actions"]!["items"]!["properties"]!["do"]!).Order());
        Assert.Equal(LessonPhases.All.Order(), Words(Load("edgeagent.playbooks.v1.json")["definitions"]!["phase"]!).Order());
        var heal = Load("edgeagent.event.v1.json")["properties"]!["heal"]!["properties"]!;
        Assert.Equal(HealTriggers.All.Order(), Words(heal["trigger"]!).Order());
        Assert.Equal(HealActions.All.Order(), Words(heal["actions"]!["items"]!).Order());
        Assert.Equal(HealOutcomes.All.Order(), Words(heal["outcome"]!).Order());
        var counted = Load("edgeagent.lesson.v1.json")["properties"]!["heals"]!["items"]!["properties"]!;
        Assert.Equal(HealTriggers.All.Order(), Words(counted["trigger"]!).Order());
        Assert.Equal(HealOutcomes.All.Order(), Words(counted["outcome"]!).Order());
    }

    [Fact]
    public void The_command_schema_names_every_command_with_its_arguments()
    {
        var definitions = Load("edgeagent.command.v1.json")["definitions"]!.AsObject();
        Assert.Equal(AgentCommands.All.Select(c => c.Name).Order(), definitions.Select(d => d.Key).Order());
        foreach (var c in AgentCommands.All)
            Assert.Equal(c.Arguments.Select(a => a.Name).Order(), definitions[c.Name]!["properties"]!.AsObject().Select(p => p.Key).Order());
    }

    private static IEnumerable<string> Words(JsonNode node) => node["enum"]!.AsArray().Select(w => w!.GetValue<string>());

    private static JsonObject Resolve(JsonObject root, JsonObject schema)
    {
        while (schema["$ref"] is JsonValue r && r.GetValue<string>() is var reference && reference.StartsWith("#/", StringComparison.Ordinal))
        {
            JsonNode at = root;
            foreach (var part in reference[2..].Split('/')) at = at[part]!;
            schema = (JsonObject)at;
        }
        return schema;
    }

    private static void Compare(JsonObject root, JsonObject schema, Type type, string path, List<string> problems)
    {
        schema = Resolve(root, schema);
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(JsonNode) || type == typeof(JsonElement) || type == typeof(JsonObject)) return; // free-form by design
        var info = ContractJson.Default.GetTypeInfo(type);
        if (info is null) return;
        switch (info.Kind)
        {
            case JsonTypeInfoKind.Object:
                if (schema["properties"] is not JsonObject properties)
                {
                    problems.Add($"{path}: the record {type.Name} is an object, the schema has no properties");
                    return;
                }
                var record = info.Properties.Where(p => p.Get is not null).ToDictionary(p => p.Name);
                foreach (var name in record.Keys.Except(properties.Select(p => p.Key))) problems.Add($"{path}.{name}: in {type.Name}, not in the schema");
                foreach (var name in properties.Select(p => p.Key).Except(record.Keys)) problems.Add($"{path}.{name}: in the schema, not in {type.Name}");
                foreach (var required in schema["required"]?.AsArray().Select(r => r!.GetValue<string>()) ?? [])
                    if (!properties.ContainsKey(required)) problems.Add($"{path}: requires '{required}', which it does not describe");
                foreach (var (name, p) in record)
                    if (properties[name] is JsonObject sub) Compare(root, sub, p.PropertyType, $"{path}.{name}", problems);
                break;
            case JsonTypeInfoKind.Enumerable:
                if (schema["items"] is JsonObject items) Compare(root, items, info.ElementType!, $"{path}[]", problems);
                else problems.Add($"{path}: the record has a list, the schema no items");
                break;
        }
    }
}
