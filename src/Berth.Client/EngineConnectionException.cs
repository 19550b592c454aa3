namespace Berth.Client;

/// <summary>The engine could not be reached at all (no socket, refused, reset before an answer).</summary>
public sealed class EngineConnectionException : Exception
{
    public EngineConnectionException()
    {
    }

    public EngineConnectionException(string message)
        : base(message)
    {
    }

    public EngineConnectionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
