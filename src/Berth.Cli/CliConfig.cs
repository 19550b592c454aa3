using System.Text.Json;
using System.Text.Json.Nodes;

namespace Berth.Cli;

/// <summary>
/// The client configuration docker keeps in <c>~/.docker/config.json</c> (or <c>$DOCKER_CONFIG</c>,
/// <c>--config</c>): registry credentials, default formats, detach keys, extra HTTP headers.
/// </summary>
public sealed class CliConfig
{
    private JsonObject _root;

    private CliConfig(string directory, JsonObject root)
    {
        Directory = directory;
        _root = root;
    }

    public string Directory { get; }

    public string FilePath => System.IO.Path.Combine(Directory, "config.json");

    public static CliConfig Load(string? directory)
    {
        var dir = directory ?? Environment.GetEnvironmentVariable("DOCKER_CONFIG");
        if (string.IsNullOrEmpty(dir))
        {
            var home = Environment.GetEnvironmentVariable("HOME") ?? "/root";
            dir = System.IO.Path.Combine(home, ".docker");
        }

        var file = System.IO.Path.Combine(dir, "config.json");
        JsonObject root = [];
        try
        {
            if (File.Exists(file) && JsonNode.Parse(File.ReadAllText(file)) is JsonObject o)
            {
                root = o;
            }
        }
        catch (JsonException)
        {
        }
        catch (IOException)
        {
        }

        return new CliConfig(dir, root);
    }

    public string? GetString(string key) => _root[key] is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0 ? s : null;

    public string? PsFormat => GetString("psFormat");

    public string? ImagesFormat => GetString("imagesFormat");

    public string? StatsFormat => GetString("statsFormat");

    public string? DetachKeys => GetString("detachKeys");

    public IEnumerable<KeyValuePair<string, string>> HttpHeaders()
    {
        if (_root["HttpHeaders"] is JsonObject h)
        {
            foreach (var kv in h)
            {
                if (kv.Value is JsonValue v && v.TryGetValue<string>(out var s))
                {
                    yield return new(kv.Key, s);
                }
            }
        }
    }

    /// <summary>The base64 "user:password" stored for a registry, or null.</summary>
    public (string? Auth, string? IdentityToken) GetAuth(string registry)
    {
        if (_root["auths"] is not JsonObject auths)
        {
            return (null, null);
        }

        foreach (var key in CandidateKeys(registry))
        {
            if (auths[key] is JsonObject entry)
            {
                var auth = entry["auth"] is JsonValue a && a.TryGetValue<string>(out var s) ? s : null;
                var token = entry["identitytoken"] is JsonValue t && t.TryGetValue<string>(out var ts) ? ts : null;
                return (auth, token);
            }
        }

        return (null, null);
    }

    public void SetAuth(string registry, string auth)
    {
        if (_root["auths"] is not JsonObject auths)
        {
            auths = [];
            _root["auths"] = auths;
        }

        auths[registry] = new JsonObject { ["auth"] = auth };
        Save();
    }

    public bool RemoveAuth(string registry)
    {
        if (_root["auths"] is not JsonObject auths)
        {
            return false;
        }

        var removed = false;
        foreach (var key in CandidateKeys(registry))
        {
            removed |= auths.Remove(key);
        }

        if (removed)
        {
            Save();
        }

        return removed;
    }

    private static IEnumerable<string> CandidateKeys(string registry)
    {
        yield return registry;
        if (registry is "docker.io" or "index.docker.io" or "https://index.docker.io/v1/")
        {
            yield return "https://index.docker.io/v1/";
        }

        yield return "https://" + registry;
        yield return "http://" + registry;
    }

    private void Save()
    {
        // docker's modes: the directory 0700, the file 0600 (it holds registry credentials).
        System.IO.Directory.CreateDirectory(Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var tmp = FilePath + ".tmp";
        File.Delete(tmp); // a left-over temp file would keep its (perhaps wider) mode
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite };
        using (var stream = new FileStream(tmp, options))
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, IndentCharacter = '\t', IndentSize = 1 }))
        {
            _root.WriteTo(writer);
        }

        File.Move(tmp, FilePath, true);
        _root = (JsonObject)JsonNode.Parse(File.ReadAllText(FilePath))!;
    }
}
