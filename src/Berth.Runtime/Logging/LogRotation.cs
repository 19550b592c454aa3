using System.Globalization;
using Berth.Core.Errors;

namespace Berth.Runtime.Logging;

/// <summary>json-file's max-size/max-file, validated with Docker's messages.</summary>
public sealed record LogRotation(long MaxSize, int MaxFiles)
{
    public static LogRotation Unlimited { get; } = new(-1, 1);

    /// <summary>Parses Docker's log-opts for json-file; unknown keys are refused by name.</summary>
    public static LogRotation Parse(IReadOnlyDictionary<string, string> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        long maxSize = -1;
        var maxFiles = 1;
        foreach (var (key, value) in options)
        {
            switch (key)
            {
                case "max-size":
                    maxSize = ParseSize(value);
                    break;
                case "max-file":
                    if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out maxFiles))
                    {
                        throw BerthException.Invalid($"strconv.Atoi: parsing \"{value}\": invalid syntax");
                    }

                    if (maxFiles < 1)
                    {
                        throw BerthException.Invalid("max-file cannot be less than 1");
                    }

                    break;
                case "labels" or "labels-regex" or "env" or "env-regex" or "tag":
                    // Attributes only change what is attached to each entry ("attrs"); Berth does not write them yet.
                    throw BerthException.NotImplemented($"log-opt {key} is not supported yet");
                case "compress":
                    throw BerthException.NotImplemented("log-opt compress is not supported yet");
                default:
                    throw BerthException.Invalid($"unknown log opt '{key}' for json-file log driver");
            }
        }

        // As dockerd's json-file: max-file alone is accepted and changes nothing, since files
        // only rotate once max-size is reached.
        return new LogRotation(maxSize, maxFiles);
    }

    /// <summary>Docker's RAMInBytes: "10m", "1k", "512", "1.5g" (binary units).</summary>
    public static long ParseSize(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var s = value.Trim().ToLowerInvariant();
        var end = s.Length;
        if (end > 0 && s[end - 1] == 'b')
        {
            end--;
        }

        long mult = 1;
        if (end > 0 && "kmgtp".Contains(s[end - 1], StringComparison.Ordinal))
        {
            mult = s[end - 1] switch { 'k' => 1L << 10, 'm' => 1L << 20, 'g' => 1L << 30, 't' => 1L << 40, _ => 1L << 50 };
            end--;
        }

        if (!double.TryParse(s.AsSpan(0, end), NumberStyles.Float, CultureInfo.InvariantCulture, out var n) || n < 0)
        {
            throw BerthException.Invalid($"invalid size: '{value}'");
        }

        return (long)(n * mult);
    }

    /// <summary>Stable text form for the monitor's config file.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{MaxSize},{MaxFiles}");
}
