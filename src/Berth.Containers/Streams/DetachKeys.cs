using Berth.Core.Errors;

namespace Berth.Containers.Streams;

/// <summary>Docker's detach key sequences: "ctrl-p,ctrl-q" (default), "ctrl-a", "a", "ctrl-@", "ctrl-[" ...</summary>
public static class DetachKeys
{
    public const string Default = "ctrl-p,ctrl-q";

    public static byte[] Parse(string? keys)
    {
        if (string.IsNullOrEmpty(keys))
        {
            keys = Default;
        }

        var result = new List<byte>();
        foreach (var key in keys.Split(','))
        {
            if (key.Length > 1 && key.StartsWith("ctrl-", StringComparison.Ordinal) && key.Length == 6)
            {
                var ch = char.ToLowerInvariant(key[5]);
                if (ch is >= 'a' and <= 'z')
                {
                    result.Add((byte)(ch - 'a' + 1));
                }
                else if (ch is '@' or '[' or '\\' or ']' or '^' or '_')
                {
                    result.Add((byte)(ch switch { '@' => 0, '[' => 27, '\\' => 28, ']' => 29, '^' => 30, _ => 31 }));
                }
                else
                {
                    throw BerthException.Invalid($"Invalid escape keys ({keys}) provided");
                }
            }
            else if (key.Length == 1)
            {
                result.Add((byte)key[0]);
            }
            else
            {
                throw BerthException.Invalid($"Invalid escape keys ({keys}) provided");
            }
        }

        return [.. result];
    }
}
