using EdgeAgent.Office.Store;
using Microsoft.AspNetCore.Identity;

namespace EdgeAgent.Office.Accounts;

/// <summary>Sign-in against the office database: ASP.NET Core Identity's password hasher (PBKDF2, salted, versioned), nothing stored in clear.</summary>
public sealed class Users(OfficeStore store, TimeProvider time)
{
    private readonly PasswordHasher<string> _hasher = new();

    public async Task<OfficeUser> SetAsync(string name, string role, string password, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 64 || name.Any(char.IsControl)) throw new ArgumentException("a user name is 1-64 printable characters");
        if (!Roles.IsRole(role)) throw new ArgumentException($"role must be one of {string.Join(", ", Roles.All)}");
        if (password.Length < 8) throw new ArgumentException("a password has at least 8 characters");
        var user = new OfficeUser(name, role, _hasher.HashPassword(name, password), time.GetUtcNow());
        await store.SaveUserAsync(user, ct).ConfigureAwait(false);
        return user;
    }

    /// <summary>The user when the password is right; null otherwise (an unknown name takes as long as a wrong password).</summary>
    public async Task<OfficeUser?> CheckAsync(string name, string password, CancellationToken ct)
    {
        var user = await store.UserAsync(name, ct).ConfigureAwait(false);
        if (user is null)
        {
            _hasher.VerifyHashedPassword(name, Decoy, password);
            return null;
        }
        var result = _hasher.VerifyHashedPassword(name, user.PasswordHash, password);
        if (result == PasswordVerificationResult.SuccessRehashNeeded)
            await store.SaveUserAsync(user with { PasswordHash = _hasher.HashPassword(name, password) }, ct).ConfigureAwait(false);
        return result == PasswordVerificationResult.Failed ? null : user;
    }

    private static readonly string Decoy = new PasswordHasher<string>().HashPassword("", Guid.NewGuid().ToString());
}
