using Berth.Core.Errors;

namespace Berth.Runtime.Logging;

/// <summary>Docker's default driver: JSON lines in &lt;container&gt;/&lt;id&gt;-json.log, no rotation unless asked.</summary>
internal sealed class JsonFileLogDriver : LogDriver
{
    public override string Name => "json-file";

    public override ILogFormat Format => JsonFileFormat.Instance;

    public override string LogPath(string containerDir, string id) => Path.Combine(containerDir, id + "-json.log");

    protected override void ValidateKey(string key)
    {
        switch (key)
        {
            case "max-size" or "max-file" or "compress":
                return;
            case "labels" or "labels-regex" or "env" or "env-regex" or "tag":
                // Attributes only change what is attached to each entry ("attrs"); Berth does not write them yet.
                throw BerthException.NotImplemented($"log-opt {key} is not supported yet");
            default:
                throw BerthException.Invalid($"unknown log opt '{key}' for json-file log driver");
        }
    }

    protected override LogRotation ParseRotation(IReadOnlyDictionary<string, string> options)
    {
        long maxSize = -1;
        if (options.TryGetValue("max-size", out var size))
        {
            maxSize = HumanSize(size);
            if (maxSize <= 0)
            {
                throw BerthException.Invalid("max-size must be a positive number");
            }
        }

        var maxFiles = 1;
        if (options.TryGetValue("max-file", out var files))
        {
            maxFiles = Atoi(files);
            if (maxFiles < 1)
            {
                throw BerthException.Invalid("max-file cannot be less than 1");
            }
        }

        var compress = false;
        if (options.TryGetValue("compress", out var c))
        {
            compress = ParseBool(c);
            if (compress && (maxFiles == 1 || maxSize == -1))
            {
                throw BerthException.Invalid("compress cannot be true when max-file is less than 2 or max-size is not set");
            }
        }

        // As dockerd: max-file alone is accepted and changes nothing, since files only rotate
        // once max-size is reached.
        return new LogRotation(maxSize, maxFiles, compress);
    }
}
