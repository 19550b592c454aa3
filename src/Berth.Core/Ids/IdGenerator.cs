using System.Security.Cryptography;

namespace Berth.Core.Ids;

/// <summary>Docker-style 64-hex-character random identifiers.</summary>
public static class IdGenerator
{
    public static string NewId()
    {
        Span<byte> bytes = stackalloc byte[32];
        while (true)
        {
            RandomNumberGenerator.Fill(bytes);
            var id = Convert.ToHexStringLower(bytes);

            // Docker never hands out an all-digit short ID: it would read as a number in some tools.
            if (!id.AsSpan(0, 12).ContainsAnyExcept("0123456789"))
            {
                continue;
            }

            return id;
        }
    }

    public static string Short(string id)
    {
        var hex = id.StartsWith("sha256:", StringComparison.Ordinal) ? id[7..] : id;
        return hex.Length > 12 ? hex[..12] : hex;
    }
}
