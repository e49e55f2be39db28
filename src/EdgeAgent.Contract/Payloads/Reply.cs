using System.Text.Json.Nodes;

namespace EdgeAgent.Contract.Payloads;

/// <summary>The answer to a command: <c>ok</c> with a result, or an error with a stable code (<see cref="Vocabulary.ReplyCodes"/>).</summary>
public sealed record ReplyPayload(string Schema, string? Id, bool Ok, JsonNode? Result = null, ReplyError? Error = null)
{
    public const string SchemaId = "edgeagent.reply/1";

    public static ReplyPayload Success(string? id, JsonNode result) => new(SchemaId, id, true, result);
    public static ReplyPayload Failure(string? id, string code, string message) => new(SchemaId, id, false, null, new ReplyError(code, message));
}

public sealed record ReplyError(string Code, string Message);
