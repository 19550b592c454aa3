namespace Berth.Platform.Net;

/// <summary>nftables refused a batch; the message carries nft's own diagnostics.</summary>
public sealed class NftablesException : Exception
{
    public NftablesException()
    {
    }

    public NftablesException(string message)
        : base(message)
    {
    }

    public NftablesException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
