namespace Berth.Client;

/// <summary>The engine answered with an error status; <see cref="Message"/> is its <c>message</c>.</summary>
public sealed class EngineApiException : Exception
{
    public EngineApiException(int statusCode, string message)
        : base(message)
    {
        StatusCode = statusCode;
    }

    public EngineApiException()
    {
    }

    public EngineApiException(string message)
        : base(message)
    {
    }

    public EngineApiException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public int StatusCode { get; }

    public bool IsNotFound => StatusCode == 404;
}
