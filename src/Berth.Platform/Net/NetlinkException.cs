namespace Berth.Platform.Net;

/// <summary>A netlink request the kernel refused: the errno, its text and the kernel's extended message if any.</summary>
public sealed class NetlinkException : Exception
{
    public NetlinkException(string operation, int errno, string? kernelMessage)
        : base(Format(operation, errno, kernelMessage))
    {
        Operation = operation;
        Errno = errno;
        KernelMessage = kernelMessage;
    }

    public NetlinkException()
        : this("netlink", 0, null)
    {
    }

    public NetlinkException(string message)
        : base(message)
    {
        Operation = string.Empty;
    }

    public NetlinkException(string message, Exception innerException)
        : base(message, innerException)
    {
        Operation = string.Empty;
    }

    public const int EEXIST = 17;
    public const int ENODEV = 19;
    public const int ENOENT = 2;
    public const int EOPNOTSUPP = 95;
    public const int EADDRNOTAVAIL = 99;
    public const int EBUSY = 16;

    public string Operation { get; }

    public int Errno { get; }

    public string? KernelMessage { get; }

    private static string Format(string operation, int errno, string? kernelMessage)
    {
        var text = NetLibc.ErrorText(errno);
        return string.IsNullOrEmpty(kernelMessage) ? $"{operation}: {text}" : $"{operation}: {text} ({kernelMessage})";
    }
}
