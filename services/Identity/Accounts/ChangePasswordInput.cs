using Rectify.Identity.V1;
using Rectify.Platform.Errors;

namespace Rectify.Identity.Accounts;

/// <summary>A person's change of its own password, checked: the current one given, a new one the rules accept and different from it.</summary>
public sealed record ChangePasswordInput(string CurrentPassword, string NewPassword)
{
    /// <summary>Collects every violation of the request at once (InvalidArgument with field details), or returns it valid.</summary>
    public static ChangePasswordInput Parse(ChangePasswordRequest request, string userName)
    {
        var v = new Violations();
        v.Check(!string.IsNullOrEmpty(request.CurrentPassword), "current_password", "is required");
        var password = Passwords.Check(v, "new_password", request.NewPassword, userName);
        v.Check(request.NewPassword != request.CurrentPassword, "new_password", "must differ from the current password");
        v.ThrowIfAny();
        return new(request.CurrentPassword, password!);
    }
}
