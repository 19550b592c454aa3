namespace Berth.Tests.Integration.Harness;

/// <summary>The busybox:latest archive from scripts/busybox-image.sh, built once per test run.</summary>
public static class BusyboxArchive
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? _path;

    public static async Task<string> PathAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_path is null)
            {
                var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"berth-busybox-{Environment.ProcessId}.tar");
                await Shell.CheckAsync(System.IO.Path.Combine(RepoPaths.Root, "scripts", "busybox-image.sh"), path);
                _path = path;
            }

            return _path;
        }
        finally
        {
            Gate.Release();
        }
    }
}
