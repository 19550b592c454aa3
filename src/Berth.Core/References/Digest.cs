using System.Security.Cryptography;
using Berth.Core.Errors;

namespace Berth.Core.References;

/// <summary>
/// A content digest "algorithm:hex" as OCI defines it. Only sha256 (64 lower-case hex) and sha512
/// (128) are accepted: everything Berth stores is addressed by sha256.
/// </summary>
public readonly record struct Digest
{
    private Digest(string algorithm, string hex)
    {
        Algorithm = algorithm;
        Hex = hex;
    }

    public string Algorithm { get; }

    public string Hex { get; }

    /// <summary>The first 12 hex characters, as Docker shows IDs.</summary>
    public string Short => Hex[..12];

    public bool IsEmpty => Hex is null;

    public static Digest Sha256OfHex(string hex) =>
        IsHex(hex, 64) ? new Digest("sha256", hex) : throw BerthException.Invalid($"invalid checksum digest format");

    public static Digest Parse(string text) =>
        TryParse(text, out var d) ? d : throw BerthException.Invalid($"invalid digest format: {text}");

    public static bool TryParse(string? text, out Digest digest)
    {
        digest = default;
        if (text is null)
        {
            return false;
        }

        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            return false;
        }

        var alg = text[..colon];
        var hex = text[(colon + 1)..];
        var len = alg switch { "sha256" => 64, "sha512" => 128, _ => -1 };
        if (len < 0 || !IsHex(hex, len))
        {
            return false;
        }

        digest = new Digest(alg, hex);
        return true;
    }

    /// <summary>sha256 of <paramref name="data"/>.</summary>
    public static Digest Compute(ReadOnlySpan<byte> data) => new("sha256", Convert.ToHexStringLower(SHA256.HashData(data)));

    /// <summary>Wraps a finished sha256 hash.</summary>
    public static Digest FromSha256Hash(ReadOnlySpan<byte> hash) => new("sha256", Convert.ToHexStringLower(hash));

    /// <summary>True for exactly <paramref name="length"/> lower-case hex characters.</summary>
    public static bool IsHex(string s, int length)
    {
        if (s.Length != length)
        {
            return false;
        }

        foreach (var c in s)
        {
            if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f'))
            {
                return false;
            }
        }

        return true;
    }

    public override string ToString() => Hex is null ? string.Empty : $"{Algorithm}:{Hex}";
}
