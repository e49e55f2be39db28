using System.Security.Claims;
using EdgeAgent.Office.Accounts;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace EdgeAgent.Office.Console.Pages;

public sealed class SignInModel(Users users, AuditLog audit) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }
    public string? Problem { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(string name, string password)
    {
        var ct = HttpContext.RequestAborted;
        var user = await users.CheckAsync(name ?? "", password ?? "", ct).ConfigureAwait(false);
        if (user is null)
        {
            await audit.WriteAsync(Printable(name), null, "sign-in", "", "refused: wrong user name or password", ct).ConfigureAwait(false);
            Problem = "用户名或密码不对 Wrong user name or password.";
            return Page();
        }
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, user.Name), new Claim(ClaimTypes.Role, user.Role)], CookieAuthenticationDefaults.AuthenticationScheme);
        await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity)).ConfigureAwait(false);
        await audit.WriteAsync(user.Name, null, "sign-in", user.Role, "ok", ct).ConfigureAwait(false);
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : "/");
    }

    private static string Printable(string? name) => string.IsNullOrEmpty(name) ? "(empty)" : new string(name.Take(64).Select(c => char.IsControl(c) ? '?' : c).ToArray());
}
