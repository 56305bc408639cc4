using Rectify.Identity.V1;
using Rectify.Platform.Errors;

namespace Rectify.Identity.SignIn;

/// <summary>A refresh token presented for a new access token, checked: present.</summary>
public sealed record RefreshInput(string RefreshToken)
{
    public static RefreshInput Parse(RefreshRequest request)
    {
        var v = new Violations();
        v.Check(!string.IsNullOrWhiteSpace(request.RefreshToken), "refresh_token", "is required");
        v.ThrowIfAny();
        return new(request.RefreshToken);
    }
}
