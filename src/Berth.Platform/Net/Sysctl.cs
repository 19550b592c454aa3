namespace Berth.Platform.Net;

/// <summary>
/// Kernel parameters under /proc/sys. Network parameters belong to the namespace of the thread
/// that opens the file, so call these from the thread that lives in the wanted namespace.
/// </summary>
public static class Sysctl
{
    /// <summary>Writes a value; <paramref name="path"/> is relative to /proc/sys ("net/ipv4/ip_forward").</summary>
    public static void Write(string path, string value)
    {
        var full = "/proc/sys/" + path;
        if (File.Exists(full) && File.ReadAllText(full).Trim() == value)
        {
            return;
        }

        File.WriteAllText(full, value);
    }

    public static string? Read(string path)
    {
        var full = "/proc/sys/" + path;
        return File.Exists(full) ? File.ReadAllText(full).Trim() : null;
    }
}
