using System.Text.Json.Serialization;

namespace EdgeAgent.Lessons;

/// <summary>The lessons floor's own state in JSON (the live lesson kept in the state database); its payloads are the contract's.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(LiveLesson))]
internal sealed partial class LessonJson : JsonSerializerContext;
