using System.Text.Json.Nodes;
using EdgeAgent.Compliance;
using EdgeAgent.Tests.TestSupport;
using NJsonSchema;

namespace EdgeAgent.Tests.Compliance;

public class CompliancePolicyTests
{
    private static JsonObject DefaultJson() => JsonNode.Parse(CompliancePolicy.Default.Json)!.AsObject();

    private static JsonObject Rule(JsonObject policy, string id) => policy["rules"]!.AsArray().Select(r => r!.AsObject()).Single(r => (string)r["id"]! == id);

    [Fact]
    public async Task The_default_policy_is_valid_and_matches_its_schema()
    {
        var policy = CompliancePolicy.Default;
        Assert.Equal("zj-paired-default", policy.Id);
        Assert.Equal(15, policy.Rules.Count);
        Assert.All(policy.Rules, r => Assert.False(string.IsNullOrWhiteSpace(r.Source)));
        var schema = await JsonSchema.FromFileAsync(Path.Combine(TestConfig.RepoRoot, "schemas", "edgeagent.policy.v1.json"));
        Assert.Empty(schema.Validate(policy.Json));
    }

    public static TheoryData<string, Action<JsonObject>, string> BadPolicies => new()
    {
        { "missing threshold", p => Rule(p, "CAM-FPS").Remove("pass"), "rules[2] (CAM-FPS).pass: is required" },
        { "unknown metric", p => Rule(p, "NET-UP")["metric"] = "net.vibes", "'net.vibes' is not a metric" },
        { "warn above pass for min", p => Rule(p, "CAM-FPS")["warn"] = 30, "warn 30 is above pass 25" },
        { "warn below pass for max", p => Rule(p, "NET-RTT")["warn"] = 100, "warn 100 is below pass 150" },
        { "warn range inside pass", p => Rule(p, "AUD-LEVEL")["warn"] = new JsonArray(-20, -15), "does not contain pass" },
        { "per-role pass threshold missing a role", p => Rule(p, "NET-UP")["pass"] = new JsonObject { ["main"] = 10 }, "NET-UP).pass.receiving: is required" },
        { "unknown key", p => Rule(p, "CAM-COUNT")["severity"] = "high", "CAM-COUNT).severity: unknown key" },
        { "wrong schema", p => p["schema"] = "edgeagent.policy/0", "policy.schema: must be" },
    };

    [Theory]
    [MemberData(nameof(BadPolicies))]
    public void A_bad_policy_is_rejected_with_the_reason(string what, Action<JsonObject> spoil, string reason)
    {
        var doc = DefaultJson();
        spoil(doc);
        Assert.Null(CompliancePolicy.Parse(doc.ToJsonString(), out var errors));
        Assert.True(errors.Any(e => e.Contains(reason, StringComparison.Ordinal)), $"{what}: {string.Join(" | ", errors)}");
    }

    [Fact]
    public void Bad_json_is_rejected() =>
        Assert.Null(CompliancePolicy.Parse("{\"schema\": ", out var errors)) ;

    [Theory]
    [InlineData("main", 720, "fail")]
    [InlineData("receiving", 720, "warn")] // a receiving room at 1280x720 only warns
    [InlineData("receiving", 480, "fail")]
    [InlineData("main", 1080, "pass")]
    public void Capture_resolution_is_judged_per_role(string role, int lines, string verdict)
    {
        var rule = CompliancePolicy.Default.Rules.Single(r => r.Id == "CAM-RES");
        Assert.Equal(verdict, RuleEvaluator.Evaluate(rule, role, Measurement.Of("video.height", lines, "test")).Verdict);
    }

    [Theory]
    [InlineData("main", 12, "pass")]
    [InlineData("main", 6, "warn")]
    [InlineData("receiving", 6, "pass")]
    [InlineData("receiving", 1.5, "fail")]
    public void Uplink_thresholds_differ_by_role(string role, double mbps, string verdict)
    {
        var rule = CompliancePolicy.Default.Rules.Single(r => r.Id == "NET-UP");
        Assert.Equal(verdict, RuleEvaluator.Evaluate(rule, role, Measurement.Of("net.up", mbps, "test")).Verdict);
    }

    [Fact]
    public void An_unmeasured_rule_is_unknown_with_the_reason_never_a_pass()
    {
        var rule = CompliancePolicy.Default.Rules.Single(r => r.Id == "SYS-CLOCK");
        var result = RuleEvaluator.Evaluate(rule, "main", Measurement.Unknown("clock.offset", "no time source"));
        Assert.Equal("unknown", result.Verdict);
        Assert.Equal("no time source", result.Evidence);
        Assert.Equal("unknown", RuleEvaluator.Overall([result]));
        var pass = RuleEvaluator.Evaluate(CompliancePolicy.Default.Rules.Single(r => r.Id == "ENC-CODEC"), "main", Measurement.Of("encoder.codec", "h264", "x"));
        Assert.Equal("pass", RuleEvaluator.Overall([result, pass]));
    }
}
