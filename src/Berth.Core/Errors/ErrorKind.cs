namespace Berth.Core.Errors;

/// <summary>
/// The closed set of failure kinds every subsystem reports. The HTTP edge maps each kind to one
/// status code in one place (Daemon/Http/ErrorMapping), so services never think about HTTP.
/// </summary>
public enum ErrorKind
{
    /// <summary>A thing named by the caller does not exist (HTTP 404).</summary>
    NotFound,

    /// <summary>The request is malformed or asks for something impossible (HTTP 400).</summary>
    InvalidArgument,

    /// <summary>The request clashes with current state: name taken, object in use (HTTP 409).</summary>
    Conflict,

    /// <summary>Credentials missing or wrong (HTTP 401).</summary>
    Unauthorized,

    /// <summary>Known caller, not allowed (HTTP 403).</summary>
    Forbidden,

    /// <summary>A dependency (runtime, registry) is not reachable now (HTTP 503).</summary>
    Unavailable,

    /// <summary>Nothing to do: already started, already stopped (HTTP 304).</summary>
    NotModified,

    /// <summary>A feature Berth does not implement (HTTP 501).</summary>
    NotImplemented,

    /// <summary>A bug or an unexpected OS failure (HTTP 500).</summary>
    Internal,
}
