using Berth.Core.Errors;
using Berth.Core.Filters;

namespace Berth.Daemon.Http.Plugins;

/// <summary>
/// Managed plugins are not supported, so none is ever installed: the routes answer in the shape
/// of that state, as dockerd does with no plugins (an empty list, no privileges, "plugin not
/// found" for a name). Installing one (pull, create) answers 501.
/// </summary>
public static class PluginRoutes
{
    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/plugins", (HttpContext ctx) =>
        {
            FilterSet.Parse(ctx.Request.Query["filters"]).Accept("capability", "enable");
            return EmptyList();
        });
        api.MapGet("/plugins/privileges", EmptyList);
        api.MapGet("/plugins/{name}/json", (string name) => NotFound(name));
        api.MapDelete("/plugins/{name}", (string name) => NotFound(name));
        foreach (var action in new[] { "enable", "disable", "push", "set", "upgrade" })
        {
            api.MapPost($"/plugins/{{name}}/{action}", (string name) => NotFound(name));
        }

        api.MapPost("/plugins/pull", () => NotSupported());
        api.MapPost("/plugins/create", () => NotSupported());
    }

    private static IResult EmptyList() => Results.Text("[]\n", "application/json");

    private static IResult NotFound(string name) => throw BerthException.NotFound($"plugin \"{name}\" not found");

    private static IResult NotSupported() => throw BerthException.NotImplemented("managed plugins are not supported by Berth");
}
