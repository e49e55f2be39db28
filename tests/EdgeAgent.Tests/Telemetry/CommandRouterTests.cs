using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using EdgeAgent.Contract.Commands;
using EdgeAgent.Telemetry;
using EdgeAgent.Tests.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAgent.Tests.Telemetry;

/// <summary>The router on its own: every input ends as exactly one reply or one counted drop.</summary>
public class CommandRouterTests
{
    /// <summary>A handler of an allow-listed command name, with its arguments and a 2 s limit, that runs <paramref name="run"/>.</summary>
    private sealed class EchoCommand(string name, Func<CommandArguments, Task<JsonNode>> run, params ArgumentSpec[] arguments) : ICommandHandler
    {
        public CommandSpec Command { get; } = new(name, "test", TimeSpan.FromSeconds(2), arguments);
        public Task<JsonNode> RunAsync(CommandArguments args, CancellationToken ct) => run(args);
    }

    private static (CommandRouter Router, RoomTopics Topics) Create(TimeProvider time, params ICommandHandler[] commands)
    {
        var options = EdgeAgent.Configuration.ConfigLoader.Parse(TestConfig.Minimal("/tmp/x").ToJsonString()).Options!;
        var topics = new RoomTopics(options.Address);
        return (new CommandRouter(commands, topics, new CommandCounters(), time, NullLogger<CommandRouter>.Instance), topics);
    }

    private static async Task<List<OutgoingReply>> Drain(CommandRouter router, long expected)
    {
        var replies = new List<OutgoingReply>();
        await Eventually.True(() =>
        {
            while (router.Replies.TryRead(out var r)) replies.Add(r);
            return replies.Count + router.Counters.Dropped >= expected;
        }, TimeSpan.FromSeconds(20), "every message to be answered or dropped");
        return replies;
    }

    [Fact]
    public async Task Any_payload_on_any_topic_is_answered_or_counted_never_thrown()
    {
        var (router, topics) = Create(TimeProvider.System,
            new EchoCommand("ping", a => Task.FromResult<JsonNode>(new JsonObject())),
            new EchoCommand("device", a => Task.FromResult<JsonNode>(1), new ArgumentSpec("device", ArgumentKind.Text, "", Required: true, MaxLength: 8)));
        var gen = Gen.Select(
            Gen.OneOf(Gen.Byte.Array[0, 300], Gen.String.Select(s => Encoding.UTF8.GetBytes(s)),
                Gen.OneOf(Gen.Const("{\"a\":1,\"a\":2}"), Gen.Const("{\"id\":5,\"reply_to\":[]}"), Gen.Const("{\"device\":{}}"), Gen.Const("{}"),
                    Gen.Const("{\"reply_to\":\"" + "edu/zj-test/test-school/room-1/edgeagent/reply/x" + "\"}"), Gen.Const("null"), Gen.Const("{\"id\":\"\\ud800\"}")).Select(s => Encoding.UTF8.GetBytes(s))),
            Gen.OneOf(Gen.Const("ping"), Gen.Const("device"), Gen.Const("x"), Gen.String),
            Gen.Bool);
        var count = 0L;
        gen.Sample((payload, name, withTarget) =>
        {
            router.Handle(topics.CommandPrefix + name, new ReadOnlySequence<byte>(payload), withTarget ? topics.ReplyPrefix + "t" : null, withTarget ? [1, 2] : null);
            Interlocked.Increment(ref count);
            while (router.Replies.TryRead(out _)) { }
        }, iter: 3000, threads: 1);
        await Eventually.True(() => { while (router.Replies.TryRead(out _)) { } return router.Counters.Replied + router.Counters.Dropped == count; },
            TimeSpan.FromSeconds(30), $"answers for all {count} (replied {router.Counters.Replied}, dropped {router.Counters.Dropped})");
    }

    [Fact]
    public async Task A_flood_gets_busy_at_once_and_the_bucket_refills_with_time()
    {
        var time = new FakeTimeProvider();
        var release = new TaskCompletionSource<JsonNode>();
        var (router, topics) = Create(time, new EchoCommand("ping", _ => release.Task));
        for (var i = 0; i < 100; i++)
            router.Handle(topics.CommandPrefix + "ping", new ReadOnlySequence<byte>("{}"u8.ToArray()), topics.ReplyPrefix + "t", null);
        var busy = await Drain(router, 100 - CommandRouter.MaxConcurrent);
        Assert.Equal(100 - CommandRouter.MaxConcurrent, busy.Count);
        Assert.All(busy, r => Assert.Contains("\"busy\"", Encoding.UTF8.GetString(r.Payload)));

        release.SetResult(new JsonObject { ["pong"] = true });
        var done = await Drain(router, CommandRouter.MaxConcurrent);
        Assert.Equal(CommandRouter.MaxConcurrent, done.Count(r => Encoding.UTF8.GetString(r.Payload).Contains("\"ok\":true")));

        // The flood emptied the bucket (the first twenty took a token each)... then time refills it (10 a second, real time:
        // System.Threading.RateLimiting has no TimeProvider).
        var refilled = false;
        await Eventually.True(async () =>
        {
            router.Handle(topics.CommandPrefix + "ping", new ReadOnlySequence<byte>("{}"u8.ToArray()), topics.ReplyPrefix + "t", null);
            refilled = Encoding.UTF8.GetString((await Drain(router, 1)).Single().Payload).Contains("\"ok\":true");
            return refilled;
        }, TimeSpan.FromSeconds(10), "the bucket to refill");
        Assert.True(refilled);
    }

    [Fact]
    public async Task A_hung_command_is_answered_timeout()
    {
        var (router, topics) = Create(TimeProvider.System, new EchoCommand("ping", _ => new TaskCompletionSource<JsonNode>().Task));
        router.Handle(topics.CommandPrefix + "ping", new ReadOnlySequence<byte>("{\"id\":\"q1\"}"u8.ToArray()), topics.ReplyPrefix + "t", [9]);
        var reply = (await Drain(router, 1)).Single();
        var json = JsonNode.Parse(reply.Payload)!;
        Assert.Equal("timeout", (string)json["error"]!["code"]!);
        Assert.Equal("q1", (string)json["id"]!);
        Assert.Equal([9], reply.CorrelationData);
    }
}
