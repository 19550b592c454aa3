using System.Runtime.InteropServices;

namespace Berth.Platform.Native;

/// <summary>A libc call failed; carries errno so callers can branch on ENOENT/EBUSY etc.</summary>
public sealed class ErrnoException : IOException
{
    public ErrnoException(string operation, int errno)
        : base($"{operation}: {Marshal.GetPInvokeErrorMessage(errno)}")
    {
        Errno = errno;
    }

    public ErrnoException()
    {
    }

    public ErrnoException(string message)
        : base(message)
    {
    }

    public ErrnoException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public int Errno { get; }

    /// <summary>Throws for the last P/Invoke error of the current thread.</summary>
    public static ErrnoException Last(string operation) => new(operation, Marshal.GetLastPInvokeError());
}
