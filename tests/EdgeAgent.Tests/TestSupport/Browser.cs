using Microsoft.Playwright;

namespace EdgeAgent.Tests.TestSupport;

/// <summary>
/// Debian's Chromium driven by Playwright (no browser download here: <c>ExecutablePath</c>), headless. One browser per
/// fixture; each user gets a context of their own (cookies apart).
/// </summary>
public sealed class Browser : IAsyncDisposable
{
    public const string Chromium = "/usr/bin/chromium";

    private readonly IPlaywright _playwright;

    private Browser(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Instance = browser;
    }

    public IBrowser Instance { get; }

    public static async Task<Browser> LaunchAsync()
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true });
        return new Browser(playwright, browser);
    }

    /// <summary>A new context signed in as <paramref name="user"/> on the office at <paramref name="url"/>; its page is on the fleet page.</summary>
    public async Task<IPage> SignInAsync(string url, string user, string password)
    {
        var context = await Instance.NewContextAsync(new BrowserNewContextOptions { BaseURL = url, ViewportSize = new ViewportSize { Width = 1400, Height = 900 } });
        context.SetDefaultTimeout(30_000);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/signin"));
        await page.FillAsync("input[name=name]", user);
        await page.FillAsync("input[name=password]", password);
        await page.ClickAsync("button[type=submit]");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("设备总览 Fleet");
        return page;
    }

    /// <summary>Where the tests leave their screenshots (the README's come from here: scripts/screenshots.sh).</summary>
    public static string ScreenshotPath(string name)
    {
        var dir = Directory.CreateDirectory(Path.Combine(TestConfig.RepoRoot, "TestResults", "screenshots"));
        return Path.Combine(dir.FullName, name);
    }

    public async ValueTask DisposeAsync()
    {
        await Instance.DisposeAsync();
        _playwright.Dispose();
    }
}
