namespace Berth.Cli.Commands;

/// <summary>docker's "Are you sure you want to continue? [y/N]" unless --force.</summary>
public static class Prompt
{
    public static async Task<bool> ConfirmAsync(Invocation inv, string warning)
    {
        if (inv.Flags.Bool("force"))
        {
            return true;
        }

        await inv.Out.WriteAsync(warning + "\nAre you sure you want to continue? [y/N] ");
        inv.Context.FlushOut();
        var line = await ReadLineAsync(inv.Context.StdinStream, inv.CancellationToken);
        var answer = line?.Trim().ToLowerInvariant();
        if (answer is "y" or "yes")
        {
            return true;
        }

        return false;
    }

    private static async Task<string?> ReadLineAsync(Stream stdin, CancellationToken cancellationToken)
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        while (true)
        {
            var n = await stdin.ReadAsync(one, cancellationToken);
            if (n == 0)
            {
                return bytes.Count == 0 ? null : System.Text.Encoding.UTF8.GetString(bytes.ToArray());
            }

            if (one[0] == '\n')
            {
                return System.Text.Encoding.UTF8.GetString(bytes.ToArray());
            }

            bytes.Add(one[0]);
        }
    }
}
