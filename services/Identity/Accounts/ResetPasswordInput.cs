using Rectify.Identity.V1;
using Rectify.Platform.Errors;

namespace Rectify.Identity.Accounts;

/// <summary>An admin's reset of a person's password, checked: a password the rules accept for that user name.</summary>
public sealed record ResetPasswordInput(string UserName, string NewPassword)
{
    public static ResetPasswordInput Parse(ResetPasswordRequest request)
    {
        var v = new Violations();
        var password = Passwords.Check(v, "new_password", request.NewPassword, request.UserName);
        v.ThrowIfAny();
        return new(request.UserName, password!);
    }
}
