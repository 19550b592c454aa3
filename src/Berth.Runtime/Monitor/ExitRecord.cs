using System.Globalization;

namespace Berth.Runtime.Monitor;

/// <summary>The monitor's exit file: "exitcode oomkilled unixnanos", written atomically once the container's init is reaped.</summary>
public sealed record ExitRecord(int ExitCode, bool OomKilled, long UnixNanos)
{
    public const string FileName = "exit";

    public string Format() => string.Create(CultureInfo.InvariantCulture, $"{ExitCode} {(OomKilled ? 1 : 0)} {UnixNanos}");

    /// <summary>Writes the record into a container's state directory atomically (runtime state: see AtomicFile).</summary>
    public void WriteTo(string stateDir) =>
        Berth.Platform.Files.AtomicFile.WriteRuntimeState(Path.Combine(stateDir, FileName), System.Text.Encoding.ASCII.GetBytes(Format()));

    public static ExitRecord? TryParse(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var parts = text.Trim().Split(' ');
        if (parts.Length != 3
            || !int.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var code)
            || !long.TryParse(parts[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var nanos))
        {
            return null;
        }

        return new ExitRecord(code, parts[1] == "1", nanos);
    }

    public RuntimeExit ToRuntimeExit() =>
        new(ExitCode, OomKilled, new DateTimeOffset(DateTime.UnixEpoch.Ticks + (UnixNanos / 100), TimeSpan.Zero));
}
