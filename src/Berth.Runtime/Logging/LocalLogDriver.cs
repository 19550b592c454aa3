using Berth.Core.Errors;

namespace Berth.Runtime.Logging;

/// <summary>
/// Docker's local driver: framed protobuf records in &lt;container&gt;/local-logs/container.log,
/// rotated at 20 MB into 5 files by default, rotated files gzip-compressed. Option checks and
/// messages are dockerd 20.10's (its local driver takes max-size, max-file and compress only).
/// </summary>
internal sealed class LocalLogDriver : LogDriver
{
    private const long DefaultMaxSize = 20 * 1024 * 1024;
    private const int DefaultMaxFiles = 5;

    public override string Name => "local";

    public override ILogFormat Format => LocalLogFormat.Instance;

    public override string LogPath(string containerDir, string id) => Path.Combine(containerDir, "local-logs", "container.log");

    protected override void ValidateKey(string key)
    {
        if (key is not ("max-size" or "max-file" or "compress"))
        {
            throw BerthException.Invalid($"unknown log opt '{key}' for log driver local");
        }
    }

    protected override LogRotation ParseRotation(IReadOnlyDictionary<string, string> options)
    {
        var maxSize = DefaultMaxSize;
        if (options.TryGetValue("max-size", out var size))
        {
            maxSize = LogRotation.TryParseHumanSize(size)
                ?? throw BerthException.Invalid($"invalid value for max-size: {size}: invalid size: '{size}'");
        }

        var maxFiles = DefaultMaxFiles;
        if (options.TryGetValue("max-file", out var files))
        {
            try
            {
                maxFiles = Atoi(files);
            }
            catch (BerthException e)
            {
                throw BerthException.Invalid($"invalid value for max-file: {files}: {e.Message}");
            }
        }

        var compress = true;
        if (options.TryGetValue("compress", out var c))
        {
            try
            {
                compress = ParseBool(c);
            }
            catch (BerthException e)
            {
                throw BerthException.Invalid($"error reading compress log option: {e.Message}");
            }
        }

        if (maxSize < 0)
        {
            throw BerthException.Invalid("max size should be a positive number");
        }

        if (maxFiles < 0)
        {
            throw BerthException.Invalid("max file count cannot be less than 0");
        }

        if (compress && maxFiles <= 1)
        {
            throw BerthException.Invalid("compression cannot be enabled when max file count is 1");
        }

        return new LogRotation(maxSize, maxFiles, compress);
    }
}
