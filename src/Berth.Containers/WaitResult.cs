namespace Berth.Containers;

/// <summary>Exit code reported by wait; Error is set when waiting failed.</summary>
public sealed record WaitResult(int StatusCode, string? Error = null);
