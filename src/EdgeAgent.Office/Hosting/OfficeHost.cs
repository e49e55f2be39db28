using EdgeAgent.Office.Accounts;
using EdgeAgent.Office.Alerts;
using EdgeAgent.Office.Configuration;
using EdgeAgent.Office.Console;
using EdgeAgent.Office.Fleet;
using EdgeAgent.Office.Metrics;
using EdgeAgent.Office.Store;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Prometheus;

namespace EdgeAgent.Office.Hosting;

/// <summary>The composition root of the office service: the store, the collector, the live fleet, the console and its endpoints.</summary>
public static class OfficeHost
{
    /// <summary>Builds the service on an opened store (the caller owns the store and disposes it after the app).</summary>
    public static WebApplication Build(OfficeOptions options, OfficeStore store, Action<IServiceCollection>? extra = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, Args = [] });
        builder.Host.UseSystemd();
        builder.WebHost.UseUrls(options.Listen);
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true); // one line per event (journald adds the time)
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // The keys sit in the service's own directory (mode 0700, the service's user); an XML encryptor would need a certificate the office does not have.
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection.KeyManagement.XmlKeyManager", LogLevel.Error);
        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(store);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<Users>();
        services.AddSingleton<AuditLog>();
        services.AddSingleton<FleetLive>();
        services.AddHostedService(sp => sp.GetRequiredService<FleetLive>());
        services.AddSingleton<FleetFeed>();
        services.AddSingleton<LessonsAhead>();
        services.AddHostedService(sp => sp.GetRequiredService<LessonsAhead>());
        services.AddSingleton<CollectorService>();
        services.AddHostedService(sp => sp.GetRequiredService<CollectorService>());
        services.AddSingleton<AlertEngine>();
        services.AddHostedService(sp => sp.GetRequiredService<AlertEngine>());
        services.AddSingleton<Notifier>();
        services.AddHostedService(sp => sp.GetRequiredService<Notifier>());
        services.AddHttpClient("alerts");
        services.AddSingleton<OfficeMetrics>();
        services.AddSingleton<RoomActions>();
        services.AddSingleton<EdgeAgent.Office.Reports.PdfPrinter>();

        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(o =>
        {
            o.LoginPath = "/signin";
            o.LogoutPath = "/signout";
            o.Cookie.Name = "edgeagent-office";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.ExpireTimeSpan = TimeSpan.FromHours(8);
            o.SlidingExpiration = true;
            // Pages send a browser to the sign-in page; the console's own calls get the status code.
            o.Events.OnRedirectToLogin = c => Answer(c, StatusCodes.Status401Unauthorized);
            o.Events.OnRedirectToAccessDenied = c => Answer(c, StatusCodes.Status403Forbidden);
        });
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(Roles.CanAct, p => p.RequireRole(Roles.Technician, Roles.Admin))
            .AddPolicy(Roles.CanAdminister, p => p.RequireRole(Roles.Admin));
        services.AddRazorPages(o =>
        {
            o.RootDirectory = "/Console/Pages";
            o.Conventions.AllowAnonymousToPage("/SignIn");
        }).AddApplicationPart(typeof(OfficeHost).Assembly); // the pages are found even when another program hosts the service (the tests)
        services.AddDataProtection().SetApplicationName("edgeagent-office")
            .PersistKeysToFileSystem(Directory.CreateDirectory(Path.Combine(options.StateDirectory, "keys")));
        services.AddAntiforgery(o => o.HeaderName = "RequestVerificationToken");
        extra?.Invoke(services);

        var app = builder.Build();
        app.Services.GetRequiredService<AlertEngine>().Changed += app.Services.GetRequiredService<FleetFeed>().AnnounceAlerts;
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapRazorPages();
        app.MapGet("/healthz", (FleetLive live, CollectorService collector) =>
        {
            var ok = live.IsConnected && collector.Collector.IsSubscribed;
            return Results.Json(new { status = ok ? "ok" : "degraded", broker = live.IsConnected, collector = collector.Collector.IsSubscribed, rooms = live.Rooms.Count },
                statusCode: ok ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        }).AllowAnonymous();
        app.MapMetrics("/metrics", app.Services.GetRequiredService<OfficeMetrics>().Registry).AllowAnonymous();
        app.MapGet("/live", LiveFeed.StreamAsync);
        RoomActions.Map(app);
        AlertActions.Map(app);
        ReportActions.Map(app);
        ConfigPush.Map(app);
        app.MapPost("/signout", async (HttpContext c, AuditLog audit) =>
        {
            await audit.WriteAsync(Roles.Who(c.User), null, "sign-out", "", "ok", c.RequestAborted).ConfigureAwait(false);
            await c.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme).ConfigureAwait(false);
            return Results.Redirect("/signin");
        });
        return app;
    }

    private static Task Answer(Microsoft.AspNetCore.Authentication.RedirectContext<CookieAuthenticationOptions> c, int status)
    {
        var page = HttpMethods.IsGet(c.Request.Method) && !c.Request.Path.StartsWithSegments("/api") && !c.Request.Path.StartsWithSegments("/live");
        if (page && status == StatusCodes.Status401Unauthorized) c.Response.Redirect(c.RedirectUri);
        else c.Response.StatusCode = status;
        return Task.CompletedTask;
    }
}
