namespace Berth.Core.Errors;

/// <summary>An expected failure with a kind and a user-facing message in Docker's wording.</summary>
public sealed class BerthException : Exception
{
    public BerthException(ErrorKind kind, string message)
        : base(message)
    {
        Kind = kind;
    }

    public BerthException(ErrorKind kind, string message, Exception inner)
        : base(message, inner)
    {
        Kind = kind;
    }

    public BerthException()
        : this(ErrorKind.Internal, "internal error")
    {
    }

    public BerthException(string message)
        : this(ErrorKind.Internal, message)
    {
    }

    public BerthException(string message, Exception innerException)
        : this(ErrorKind.Internal, message, innerException)
    {
    }

    public ErrorKind Kind { get; }

    public static BerthException NotFound(string message) => new(ErrorKind.NotFound, message);

    public static BerthException Invalid(string message) => new(ErrorKind.InvalidArgument, message);

    public static BerthException Conflict(string message) => new(ErrorKind.Conflict, message);

    public static BerthException NotModified(string message) => new(ErrorKind.NotModified, message);

    public static BerthException NotImplemented(string message) => new(ErrorKind.NotImplemented, message);
}
