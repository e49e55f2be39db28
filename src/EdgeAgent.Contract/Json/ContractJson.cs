using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using EdgeAgent.Contract.Payloads;
using EdgeAgent.Contract.Vocabulary;

namespace EdgeAgent.Contract.Json;

/// <summary>
/// Every payload of the contract, source-generated (no reflection: the agent is compiled ahead of time): camelCase
/// keys, nulls left out. <see cref="Wire"/> is what goes on MQTT and into files: UTF-8 as it is, so that 王老师 reads
/// as 王老师 on the broker, in logs and in the office's tools (not <c>\u738B\u8001\u5E08</c>). It is not HTML-safe:
/// pages escape what they show.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(StatePayload))]
[JsonSerializable(typeof(HealthPayload))]
[JsonSerializable(typeof(EventPayload))]
[JsonSerializable(typeof(ReplyPayload))]
[JsonSerializable(typeof(LessonRecord))]
[JsonSerializable(typeof(Tallies))]
[JsonSerializable(typeof(ComplianceReport))]
[JsonSerializable(typeof(PolicyDocument))]
[JsonSerializable(typeof(TimetableDocument))]
[JsonSerializable(typeof(PlaybooksDocument))]
[JsonSerializable(typeof(UpdatePolicyDocument))]
[JsonSerializable(typeof(UpdateStatus))]
[JsonSerializable(typeof(RoomRole))]
[JsonSerializable(typeof(BrokerProtocol))]
[JsonSerializable(typeof(DeviceKind))]
[JsonSerializable(typeof(DeviceProtocol))]
[JsonSerializable(typeof(VideoSource))]
[JsonSerializable(typeof(AudioSource))]
[JsonSerializable(typeof(EncoderChoice))]
[JsonSerializable(typeof(BookingsSource))]
[JsonSerializable(typeof(LogLevelName))]
[JsonSerializable(typeof(PlaybackVideo))]
[JsonSerializable(typeof(TestPattern))]
public sealed partial class ContractJson : JsonSerializerContext
{
    /// <summary>The contract's options with UTF-8 written as it is (MQTT payloads, files, terminals).</summary>
    public static ContractJson Wire { get; } = new(WireOptions(indented: false));

    /// <summary>Indented, for people reading a terminal.</summary>
    public static ContractJson Pretty { get; } = new(WireOptions(indented: true));

    private static JsonSerializerOptions WireOptions(bool indented) => new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = indented,
    };
}
