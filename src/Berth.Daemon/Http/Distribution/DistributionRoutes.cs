using Berth.Core.Errors;
using Berth.Core.References;

namespace Berth.Daemon.Http.Distribution;

/// <summary>
/// GET /distribution/{name}/json asks the image's registry for its manifest. Berth has no
/// registry client yet (pulls answer "pull access denied"); the route refuses a malformed
/// reference as dockerd does and otherwise says plainly that it cannot ask.
/// </summary>
public static class DistributionRoutes
{
    public static void Map(IEndpointRouteBuilder api) =>
        api.MapGet("/distribution/{**name}", (string name) =>
        {
            if (!name.EndsWith("/json", StringComparison.Ordinal))
            {
                throw BerthException.NotFound("page not found");
            }

            var reference = name[..^"/json".Length];
            if (!ImageReference.TryParse(reference, out _, out var error))
            {
                throw BerthException.Invalid(error);
            }

            return NotSupported(reference);
        });

    private static IResult NotSupported(string reference) =>
        throw BerthException.NotImplemented($"registry access is not supported by Berth yet: cannot look up {reference} on its registry");
}
