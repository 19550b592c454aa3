namespace Berth.Cli.Streams;

/// <summary>An error message inside a JSON progress stream (pull, push, load, build).</summary>
public sealed class JsonMessageException : Exception
{
    public JsonMessageException()
    {
    }

    public JsonMessageException(string message)
        : base(message)
    {
    }

    public JsonMessageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
