namespace Rectify.Platform.Identity;

/// <summary>
/// What a call made by the system itself (a consumer, a scheduler, a check another service asks for) presents as its
/// Authorization header. <see cref="ServiceTokens"/> is the one implementation; a deployment that authenticates
/// services otherwise registers its own.
/// </summary>
public interface IServiceCredential
{
    string AuthorizationHeader();
}
