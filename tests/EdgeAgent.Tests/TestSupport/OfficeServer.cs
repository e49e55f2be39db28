using EdgeAgent.Office.Accounts;
using EdgeAgent.Office.Configuration;
using EdgeAgent.Office.Hosting;
using EdgeAgent.Office.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeAgent.Tests.TestSupport;

/// <summary>
/// The office service in the test's process on a free loopback port, on a SQLite database in a temp dir, against the
/// test's broker; with three users, one per role (password <see cref="Password"/>).
/// </summary>
public sealed class OfficeServer : IAsyncDisposable
{
    public const string Password = "classroom-2026";
    public const string Admin = "admin1", Technician = "tech1", Viewer = "viewer1";

    private readonly OfficeStore _store;
    private readonly WebApplication _app;

    private OfficeServer(OfficeStore store, WebApplication app, string url, OfficeOptions options)
    {
        _store = store;
        _app = app;
        Url = url;
        Options = options;
    }

    public string Url { get; }
    public OfficeOptions Options { get; }
    public OfficeStore Store => _store;
    public T Get<T>() where T : notnull => _app.Services.GetRequiredService<T>();

    public static async Task<OfficeServer> StartAsync(string dir, int brokerPort, string name = "office-test", Action<OfficeOptions>? configure = null,
        Action<IServiceCollection>? extra = null)
    {
        var port = Machine.FreeTcpPort();
        var options = new OfficeOptions
        {
            Broker = new EdgeAgent.Client.Broker.BrokerOptions { Host = "127.0.0.1", Port = brokerPort },
            Database = Path.Combine(dir, "office.db"),
            StateDirectory = Path.Combine(dir, "office-state"),
            Listen = $"http://127.0.0.1:{port}",
            Collector = new OfficeOptions.CollectorOptions { Name = name },
        };
        configure?.Invoke(options);
        options.Check();
        var store = await OfficeStore.OpenAsync(options.Database, CancellationToken.None);
        var users = new Users(store, TimeProvider.System);
        await users.SetAsync(Admin, Roles.Admin, Password, CancellationToken.None);
        await users.SetAsync(Technician, Roles.Technician, Password, CancellationToken.None);
        await users.SetAsync(Viewer, Roles.Viewer, Password, CancellationToken.None);
        var app = OfficeHost.Build(options, store, extra);
        await app.StartAsync();
        var server = new OfficeServer(store, app, options.Listen, options);
        await Eventually.True(() => server.Get<EdgeAgent.Office.Fleet.FleetLive>().IsConnected && server.Get<CollectorService>().Collector.IsSubscribed,
            TimeSpan.FromSeconds(30), "the office to connect to the broker");
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _store.DisposeAsync();
    }
}
