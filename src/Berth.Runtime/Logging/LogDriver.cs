using System.Globalization;
using Berth.Core.Errors;

namespace Berth.Runtime.Logging;

/// <summary>
/// A log driver as Docker names them (json-file, local, none): which log-opts it takes, where its
/// file lives and the format of its records. Everything else (the monitor's writer, rotation,
/// compression, the non-blocking ring, the reader behind `docker logs`) is shared, so a driver is
/// only this. Options are checked as dockerd's logger.ValidateLogOpts (mode and max-buffer-size
/// for every driver, then the driver's own keys) followed by the checks dockerd's driver makes
/// when it starts, so a bad value is refused at create instead of leaving a container that
/// cannot start.
/// </summary>
public abstract class LogDriver
{
    public static LogDriver JsonFile { get; } = new JsonFileLogDriver();

    public static LogDriver Local { get; } = new LocalLogDriver();

    public static LogDriver None { get; } = new NoneLogDriver();

    /// <summary>The drivers this engine has (dockerd's /info Plugins.Log).</summary>
    public static IReadOnlyList<LogDriver> All { get; } = [JsonFile, Local, None];

    public abstract string Name { get; }

    /// <summary>The record format of its files; null for a driver that keeps nothing to read back.</summary>
    public abstract ILogFormat? Format { get; }

    public static LogDriver? Find(string name) => All.FirstOrDefault(d => d.Name == name);

    /// <summary>The driver's log file for a container ("" when it keeps none): dockerd's paths.</summary>
    public abstract string LogPath(string containerDir, string id);

    /// <summary>
    /// Validates a container's (or the daemon's default) log config and returns its settings;
    /// <see cref="BerthException"/> (InvalidArgument or NotImplemented) with dockerd's message otherwise.
    /// </summary>
    public static LogSettings Resolve(string name, IReadOnlyDictionary<string, string> options)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(options);
        if (name == "none")
        {
            if (options.Count > 0)
            {
                throw BerthException.Invalid($"unknown log opt '{options.Keys.Order(StringComparer.Ordinal).First()}' for none log driver");
            }

            return new LogSettings(None, LogRotation.Unlimited, LogMode.Blocking, LogSettings.DefaultMaxBufferSize);
        }

        var mode = options.GetValueOrDefault("mode", string.Empty) switch
        {
            "" or "blocking" => LogMode.Blocking,
            "non-blocking" => LogMode.NonBlocking,
            var other => throw BerthException.Invalid($"logger: logging mode not supported: {other}"),
        };

        var bufferSize = LogSettings.DefaultMaxBufferSize;
        if (options.TryGetValue("max-buffer-size", out var buffer))
        {
            if (mode != LogMode.NonBlocking)
            {
                throw BerthException.Invalid("logger: max-buffer-size option is only supported with 'mode=non-blocking'");
            }

            try
            {
                bufferSize = LogRotation.ParseSize(buffer);
            }
            catch (BerthException e)
            {
                throw BerthException.Invalid($"error parsing option max-buffer-size: {e.Message}");
            }
        }

        var driver = Find(name) ?? throw BerthException.Invalid($"logger: no log driver named '{name}' is registered");
        var own = options.Where(o => o.Key is not ("mode" or "max-buffer-size")).ToDictionary(StringComparer.Ordinal);
        foreach (var key in own.Keys.Order(StringComparer.Ordinal))
        {
            driver.ValidateKey(key);
        }

        LogRotation rotation;
        try
        {
            rotation = driver.ParseRotation(own);
        }
        catch (BerthException e) when (e.Kind == ErrorKind.InvalidArgument)
        {
            throw BerthException.Invalid($"failed to initialize logging driver: {e.Message}");
        }

        return new LogSettings(driver, rotation, mode, bufferSize);
    }

    /// <summary>Refuses a key the driver does not take, as its dockerd validator does.</summary>
    protected abstract void ValidateKey(string key);

    /// <summary>The driver's own option values, checked as dockerd's driver checks them when it starts.</summary>
    protected abstract LogRotation ParseRotation(IReadOnlyDictionary<string, string> options);

    /// <summary>Go's strconv.Atoi error text.</summary>
    protected static int Atoi(string value) =>
        int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw BerthException.Invalid($"strconv.Atoi: parsing \"{value}\": invalid syntax");

    /// <summary>Go's strconv.ParseBool and its error text.</summary>
    protected static bool ParseBool(string value) => value switch
    {
        "1" or "t" or "T" or "TRUE" or "true" or "True" => true,
        "0" or "f" or "F" or "FALSE" or "false" or "False" => false,
        _ => throw BerthException.Invalid($"strconv.ParseBool: parsing \"{value}\": invalid syntax"),
    };

    /// <summary>go-units FromHumanSize and its error text.</summary>
    protected static long HumanSize(string value) =>
        LogRotation.TryParseHumanSize(value) ?? throw BerthException.Invalid($"invalid size: '{value}'");

    public override string ToString() => Name;
}
