using Berth.Core.Errors;

namespace Berth.Daemon.Http.Swarm;

/// <summary>
/// Swarm mode is not built yet, so this node is what a dockerd is before "docker swarm init":
/// inactive. Every swarm route answers as dockerd does in that state (503 with its words), which
/// is what clients branch on (docker info, compose, the CLI's swarm commands). Only init and
/// join, the routes that would turn the feature on, answer 501.
/// </summary>
public static class SwarmRoutes
{
    public const string NotManager = "This node is not a swarm manager. Use \"docker swarm init\" or \"docker swarm join\" to connect this node to swarm and try again.";

    public const string NotPartOfSwarm = "This node is not part of a swarm";

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapPost("/swarm/init", () => NotBuilt("init"));
        api.MapPost("/swarm/join", () => NotBuilt("join"));
        api.MapPost("/swarm/leave", () => Inactive(NotPartOfSwarm));
        api.MapGet("/swarm", NotAManager);
        api.MapGet("/swarm/unlockkey", NotAManager);
        api.MapPost("/swarm/unlock", NotAManager);
        api.MapPost("/swarm/update", NotAManager);

        foreach (var resource in new[] { "services", "nodes", "tasks", "secrets", "configs" })
        {
            api.MapGet($"/{resource}", NotAManager);
            api.MapGet($"/{resource}/{{id}}", NotAManager);
        }

        foreach (var resource in new[] { "services", "secrets", "configs" })
        {
            api.MapPost($"/{resource}/create", NotAManager);
        }

        foreach (var resource in new[] { "services", "nodes", "secrets", "configs" })
        {
            api.MapPost($"/{resource}/{{id}}/update", NotAManager);
            api.MapDelete($"/{resource}/{{id}}", NotAManager);
        }

        api.MapGet("/services/{id}/logs", NotAManager);
        api.MapGet("/tasks/{id}/logs", NotAManager);
    }

    private static IResult NotAManager() => Inactive(NotManager);

    private static IResult Inactive(string message) => throw new BerthException(ErrorKind.Unavailable, message);

    private static IResult NotBuilt(string action) =>
        throw BerthException.NotImplemented($"swarm mode is not supported by Berth yet: this node cannot {action} a swarm");
}
