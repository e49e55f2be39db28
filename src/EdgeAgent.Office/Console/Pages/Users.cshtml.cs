using EdgeAgent.Office.Accounts;
using EdgeAgent.Office.Store;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace EdgeAgent.Office.Console.Pages;

/// <summary>An admin adds users, changes their role or password, removes them; every change audited (never the password).</summary>
public sealed class UsersModel(Users users, OfficeStore store, AuditLog audit) : PageModel
{
    public IReadOnlyList<OfficeUser> All { get; private set; } = [];
    public string? Said { get; private set; }
    public string? Problem { get; private set; }
    public bool IsAdmin => User.IsInRole(Roles.Admin);

    public async Task OnGetAsync() => await LoadAsync().ConfigureAwait(false);

    public async Task<IActionResult> OnPostSaveAsync(string name, string role, string password)
    {
        if (await RefusedAsync("user-save", name).ConfigureAwait(false) is { } refused) return refused;
        try
        {
            await users.SetAsync(name ?? "", role ?? "", password ?? "", HttpContext.RequestAborted).ConfigureAwait(false);
            await audit.WriteAsync(Roles.Who(User), null, "user-save", $"{name} as {role}", "ok", HttpContext.RequestAborted).ConfigureAwait(false);
            Said = $"已保存 saved: {name} ({role})";
        }
        catch (ArgumentException e)
        {
            await audit.WriteAsync(Roles.Who(User), null, "user-save", $"{name} as {role}", $"refused: {e.Message}", HttpContext.RequestAborted).ConfigureAwait(false);
            Problem = $"未保存 not saved: {e.Message}";
        }
        await LoadAsync().ConfigureAwait(false);
        return Page();
    }

    public async Task<IActionResult> OnPostRemoveAsync(string name)
    {
        if (await RefusedAsync("user-remove", name).ConfigureAwait(false) is { } refused) return refused;
        if (name == Roles.Who(User)) Problem = "不能删除自己 you cannot remove yourself";
        else
        {
            var removed = await store.DeleteUserAsync(name, HttpContext.RequestAborted).ConfigureAwait(false);
            await audit.WriteAsync(Roles.Who(User), null, "user-remove", name, removed ? "ok" : "no such user", HttpContext.RequestAborted).ConfigureAwait(false);
            Said = removed ? $"已删除 removed: {name}" : $"no user {name}";
        }
        await LoadAsync().ConfigureAwait(false);
        return Page();
    }

    private async Task<IActionResult?> RefusedAsync(string action, string? name)
    {
        if (IsAdmin) return null;
        await audit.WriteAsync(Roles.Who(User), null, action, name ?? "", "refused: needs admin", HttpContext.RequestAborted).ConfigureAwait(false);
        return StatusCode(StatusCodes.Status403Forbidden);
    }

    private async Task LoadAsync() => All = IsAdmin ? await store.UsersAsync(HttpContext.RequestAborted).ConfigureAwait(false) : [];
}
