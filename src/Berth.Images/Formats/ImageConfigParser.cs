using System.Text.Json;
using Berth.Core.Errors;
using Berth.Core.Model;
using Berth.Images.Model;

namespace Berth.Images.Formats;

/// <summary>
/// Reads image configs: application/vnd.oci.image.config.v1+json and
/// application/vnd.docker.container.image.v1+json share one shape, so one parser serves both.
/// The bytes are only read, never re-serialised: the image ID is the digest of them as stored.
/// </summary>
public static class ImageConfigParser
{
    public static ParsedConfig Parse(ReadOnlyMemory<byte> json)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = false, MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw BerthException.Invalid($"invalid image config: {e.Message}");
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw BerthException.Invalid("invalid image config: not a JSON object");
            }

            var c = Json.Get(root, "config") is { ValueKind: JsonValueKind.Object } cfg ? cfg : default;
            var config = c.ValueKind == JsonValueKind.Object ? ParseRunConfig(c) : new ImageConfig();
            var legacy = c.ValueKind == JsonValueKind.Object
                ? new LegacyConfigFields
                {
                    Hostname = Json.String(c, "Hostname") ?? string.Empty,
                    Domainname = Json.String(c, "Domainname") ?? string.Empty,
                    AttachStdin = Json.Bool(c, "AttachStdin"),
                    AttachStdout = Json.Bool(c, "AttachStdout"),
                    AttachStderr = Json.Bool(c, "AttachStderr"),
                    Tty = Json.Bool(c, "Tty"),
                    OpenStdin = Json.Bool(c, "OpenStdin"),
                    StdinOnce = Json.Bool(c, "StdinOnce"),
                    Image = Json.String(c, "Image") ?? string.Empty,
                }
                : new LegacyConfigFields();

            var diffIds = new List<string>();
            if (Json.Get(root, "rootfs") is { ValueKind: JsonValueKind.Object } rootfs)
            {
                var type = Json.String(rootfs, "type");
                if (type is not null && type != "layers")
                {
                    throw BerthException.Invalid($"invalid image config: unsupported rootfs type {type}");
                }

                foreach (var d in Json.StringList(rootfs, "diff_ids") ?? [])
                {
                    if (!Core.References.Digest.TryParse(d, out _))
                    {
                        throw BerthException.Invalid($"invalid image config: invalid diff ID {d}");
                    }

                    diffIds.Add(d);
                }
            }

            var history = new List<ImageHistoryEntry>();
            if (Json.Get(root, "history") is { ValueKind: JsonValueKind.Array } hist)
            {
                foreach (var h in hist.EnumerateArray())
                {
                    if (h.ValueKind == JsonValueKind.Object)
                    {
                        history.Add(new ImageHistoryEntry(Json.Time(h, "created"), Json.String(h, "created_by") ?? string.Empty, Json.String(h, "author") ?? string.Empty, Json.String(h, "comment") ?? string.Empty, Json.Bool(h, "empty_layer")));
                    }
                }
            }

            return new ParsedConfig
            {
                Config = config,
                Legacy = legacy,
                Architecture = Json.String(root, "architecture") ?? string.Empty,
                Os = Json.String(root, "os") ?? string.Empty,
                Variant = Json.String(root, "variant"),
                OsVersion = Json.String(root, "os.version"),
                Created = Json.Time(root, "created"),
                Author = Json.String(root, "author") ?? string.Empty,
                Comment = Json.String(root, "comment") ?? string.Empty,
                DockerVersion = Json.String(root, "docker_version") ?? string.Empty,
                Parent = Json.String(root, "parent") ?? string.Empty,
                DiffIds = diffIds,
                History = history,
            };
        }
    }

    private static ImageConfig ParseRunConfig(JsonElement c)
    {
        HealthConfig? health = null;
        if (Json.Get(c, "Healthcheck") is { ValueKind: JsonValueKind.Object } h)
        {
            health = new HealthConfig
            {
                Test = Json.StringList(h, "Test"),
                Interval = Json.Long(h, "Interval"),
                Timeout = Json.Long(h, "Timeout"),
                StartPeriod = Json.Long(h, "StartPeriod"),
                StartInterval = Json.Long(h, "StartInterval"),
                Retries = (int)Json.Long(h, "Retries"),
            };
        }

        return new ImageConfig
        {
            User = Json.String(c, "User"),
            ExposedPorts = Json.Keys(c, "ExposedPorts"),
            Env = Json.StringList(c, "Env") ?? [],
            Entrypoint = Json.StringList(c, "Entrypoint"),
            Cmd = Json.StringList(c, "Cmd"),
            Volumes = Json.Keys(c, "Volumes"),
            WorkingDir = Json.String(c, "WorkingDir"),
            Labels = Json.StringMap(c, "Labels"),
            StopSignal = Json.String(c, "StopSignal"),
            Healthcheck = health,
            OnBuild = Json.StringList(c, "OnBuild"),
            Shell = Json.StringList(c, "Shell"),
            ArgsEscaped = Json.Bool(c, "ArgsEscaped"),
        };
    }
}
