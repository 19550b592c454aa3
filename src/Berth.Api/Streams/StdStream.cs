namespace Berth.Api.Streams;

/// <summary>Stream identifiers of Docker's multiplexed ("stdcopy") framing.</summary>
public enum StdStream : byte
{
    Stdin = 0,
    Stdout = 1,
    Stderr = 2,

    /// <summary>Used by the engine to report an error in the middle of a stream.</summary>
    SystemErr = 3,
}
