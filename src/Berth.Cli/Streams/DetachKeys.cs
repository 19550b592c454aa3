namespace Berth.Cli.Streams;

/// <summary>docker's detach key sequences ("ctrl-p,ctrl-q") as bytes.</summary>
public static class DetachKeys
{
    public const string Default = "ctrl-p,ctrl-q";

    public static byte[] Parse(string keys)
    {
        var result = new List<byte>();
        foreach (var raw in keys.Split(','))
        {
            var key = raw.Trim();
            if (key.Length == 1)
            {
                result.Add((byte)key[0]);
                continue;
            }

            if (key.StartsWith("ctrl-", StringComparison.OrdinalIgnoreCase) && key.Length == 6)
            {
                var c = char.ToLowerInvariant(key[5]);
                if (c is >= 'a' and <= 'z')
                {
                    result.Add((byte)(c - 'a' + 1));
                    continue;
                }

                var special = c switch
                {
                    '@' => 0,
                    '[' => 27,
                    '\\' => 28,
                    ']' => 29,
                    '^' => 30,
                    '_' => 31,
                    _ => -1,
                };
                if (special >= 0)
                {
                    result.Add((byte)special);
                    continue;
                }
            }

            throw new CliException($"Unknown character: '{key}'");
        }

        return [.. result];
    }
}
