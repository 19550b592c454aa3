using System.Text;
using System.Text.Json.Nodes;
using Berth.Cli.Formatting;

namespace Berth.Cli.Commands;

/// <summary>The X-Registry-Auth header: credentials from config.json for a reference's registry.</summary>
public static class RegistryAuth
{
    public const string DockerHubKey = "https://index.docker.io/v1/";

    public static string RegistryOf(string image)
    {
        var r = ImageReference.TryParse(image, out _);
        return r is null || r.Domain == "docker.io" ? DockerHubKey : r.Domain;
    }

    public static string HeaderFor(CliConfig config, string registry)
    {
        var (auth, token) = config.GetAuth(registry == DockerHubKey ? DockerHubKey : registry);
        var o = new JsonObject();
        if (auth is not null)
        {
            try
            {
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(auth));
                var colon = decoded.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0)
                {
                    o["username"] = decoded[..colon];
                    o["password"] = decoded[(colon + 1)..];
                }
            }
            catch (FormatException)
            {
            }

            o["serveraddress"] = registry;
        }

        if (token is not null)
        {
            o["identitytoken"] = token;
        }

        return Encode(o);
    }

    /// <summary>base64url of the JSON, as docker's registry.EncodeAuthConfig.</summary>
    public static string Encode(JsonObject o) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(o.ToJsonString())).Replace('+', '-').Replace('/', '_');
}
