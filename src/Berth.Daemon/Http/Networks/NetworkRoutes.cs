using System.Text.Json;
using System.Text.RegularExpressions;
using Berth.Api.Json;
using Berth.Api.Networks;
using Berth.Core.Errors;
using Berth.Core.Filters;
using Berth.Networking;

namespace Berth.Daemon.Http.Networks;

/// <summary>The /networks routes: list, inspect, create, remove, prune, connect, disconnect.</summary>
public static class NetworkRoutes
{
    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/networks", ListAsync);
        api.MapGet("/networks/{id}", InspectAsync);
        api.MapPost("/networks/create", CreateAsync);
        api.MapDelete("/networks/{id}", RemoveAsync);
        api.MapPost("/networks/prune", PruneAsync);
        api.MapPost("/networks/{id}/connect", ConnectAsync);
        api.MapPost("/networks/{id}/disconnect", DisconnectAsync);
    }

    private static string Version(HttpContext c) => c.Items[ApiVersionMiddleware.VersionKey] as string ?? Berth.Api.ApiVersions.Current;

    private static async Task<IResult> ListAsync(HttpContext context, NetworkService networks)
    {
        var f = FilterSet.Parse(context.Request.Query["filters"]).Accept("driver", "id", "label", "name", "scope", "type", "dangling");
        foreach (var s in f.Get("scope"))
        {
            if (s is not ("local" or "swarm" or "global"))
            {
                throw BerthException.Invalid($"Invalid filter: 'scope'='{s}'");
            }
        }

        foreach (var t in f.Get("type"))
        {
            if (t is not ("custom" or "builtin"))
            {
                throw BerthException.Invalid($"Invalid filter: 'type'='{t}'");
            }
        }

        var dangling = f.GetBool("dangling");
        var version = Version(context);
        var list = (await networks.ListNetworksAsync(context.RequestAborted).ConfigureAwait(false))
            .Where(v => f.AnyOrAbsent("driver", d => d == v.Network.Driver))
            .Where(v => f.AnyOrAbsent("id", p => Matches(p, v.Network.Id)))
            .Where(v => f.AnyOrAbsent("name", p => Matches(p, v.Network.Name)))
            .Where(v => f.MatchesLabels("label", v.Network.Labels))
            .Where(v => f.AnyOrAbsent("scope", s => s == "local"))
            .Where(v => f.AnyOrAbsent("type", t => (t == "builtin") == v.Network.Predefined))
            .Where(v => dangling is null || dangling == (!v.Network.Predefined && v.Endpoints.Count == 0))
            .Select(v => NetworksMapper.ToResource(v, version, withContainers: false))
            .ToList();
        return Results.Json(list, NetworksJsonContext.Default.ListNetworkResource);
    }

    private static async Task<IResult> InspectAsync(HttpContext context, string id, NetworkService networks)
    {
        _ = Containers.QueryValues.StrictBool(context.Request, "verbose");
        var q = context.Request.Query;
        if (q["scope"] is { Count: > 0 } scope && scope[0] is { Length: > 0 } s && s != "local")
        {
            throw BerthException.NotFound($"network {id} not found");
        }

        var view = await networks.GetNetworkAsync(id, context.RequestAborted).ConfigureAwait(false);
        return Results.Json(NetworksMapper.ToResource(view, Version(context), withContainers: true), NetworksJsonContext.Default.NetworkResource);
    }

    private static async Task<IResult> CreateAsync(HttpContext context, NetworkService networks)
    {
        var body = await ReadAsync(context, NetworksJsonContext.Default.NetworkCreateRequest).ConfigureAwait(false)
            ?? throw BerthException.Invalid("network create: empty request body");
        var id = await networks.CreateNetworkAsync(NetworksMapper.ToSpec(body), context.RequestAborted).ConfigureAwait(false);
        return Results.Json(new NetworkCreateResponse(id, string.Empty), NetworksJsonContext.Default.NetworkCreateResponse, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> RemoveAsync(HttpContext context, string id, NetworkService networks)
    {
        await networks.RemoveNetworkAsync(id, context.RequestAborted).ConfigureAwait(false);
        return Results.NoContent();
    }

    private static async Task<IResult> PruneAsync(HttpContext context, NetworkService networks, TimeProvider time)
    {
        var f = FilterSet.Parse(context.Request.Query["filters"]).Accept("until", "label", "label!");
        var now = time.GetUtcNow();
        var until = f.Get("until").Select(u => TimeFilter.Parse(u, now)).Min();
        var removed = await networks.PruneNetworksAsync(
            v => (until is null || v.Network.Created < until)
                && f.MatchesLabels("label", v.Network.Labels)
                && !f.Get("label!").Any(l => MatchesLabel(l, v.Network.Labels)),
            context.RequestAborted).ConfigureAwait(false);
        return Results.Json(new NetworkPruneResponse([.. removed]), NetworksJsonContext.Default.NetworkPruneResponse);
    }

    private static async Task<IResult> ConnectAsync(HttpContext context, string id, IContainerNetworkConnector connector)
    {
        var body = await ReadAsync(context, NetworksJsonContext.Default.NetworkConnectRequest).ConfigureAwait(false);
        var container = body?.Container is { Length: > 0 } named ? named : throw BerthException.Invalid("invalid name or ID supplied: \"\"");
        var endpoint = NetworksMapper.ToEndpointRequest(body.EndpointConfig);
        await connector.ConnectAsync(container, id, endpoint, context.RequestAborted).ConfigureAwait(false);

        return Results.Ok();
    }

    private static async Task<IResult> DisconnectAsync(HttpContext context, string id, IContainerNetworkConnector connector)
    {
        var body = await ReadAsync(context, NetworksJsonContext.Default.NetworkDisconnectRequest).ConfigureAwait(false);
        var container = body?.Container is { Length: > 0 } named ? named : throw BerthException.Invalid("invalid name or ID supplied: \"\"");
        await connector.DisconnectAsync(container, id, body.Force, context.RequestAborted).ConfigureAwait(false);

        return Results.Ok();
    }

    private static async Task<T?> ReadAsync<T>(HttpContext context, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        if (context.Request.ContentLength == 0)
        {
            return default;
        }

        try
        {
            return await JsonSerializer.DeserializeAsync(context.Request.Body, type, context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException e) when (e.Message.Contains("empty", StringComparison.OrdinalIgnoreCase) || e.BytePositionInLine == 0 && e.LineNumber == 0)
        {
            return default;
        }
    }

    /// <summary>Docker's filter match: exact, else the value as an (unanchored) regular expression.</summary>
    private static bool Matches(string pattern, string value)
    {
        if (pattern == value)
        {
            return true;
        }

        try
        {
            return Regex.IsMatch(value, pattern, RegexOptions.None, TimeSpan.FromMilliseconds(100));
        }
        catch (ArgumentException)
        {
            return value.Contains(pattern, StringComparison.Ordinal);
        }
    }

    private static bool MatchesLabel(string filter, IReadOnlyDictionary<string, string> labels)
    {
        var eq = filter.IndexOf('=', StringComparison.Ordinal);
        return eq < 0 ? labels.ContainsKey(filter) : labels.TryGetValue(filter[..eq], out var v) && v == filter[(eq + 1)..];
    }
}
