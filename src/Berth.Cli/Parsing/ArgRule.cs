namespace Berth.Cli.Parsing;

/// <summary>How many positional arguments a command takes (docker's cli/required.go rules).</summary>
public sealed record ArgRule(int Min, int Max)
{
    public static readonly ArgRule Any = new(0, int.MaxValue);

    public static readonly ArgRule None = new(0, 0);

    public static ArgRule AtLeast(int min) => new(min, int.MaxValue);

    public static ArgRule AtMost(int max) => new(0, max);

    public static ArgRule Exactly(int n) => new(n, n);

    public static ArgRule Range(int min, int max) => new(min, max);

    /// <summary>Docker's message for a wrong count, or null when the count is fine.</summary>
    public string? Check(int count, string commandPath, string useLine)
    {
        if (count >= Min && count <= Max)
        {
            return null;
        }

        var bin = commandPath.Split(' ')[0];
        if (Max == 0)
        {
            return $"{bin}: '{commandPath}' accepts no arguments\n\nUsage:  {useLine}\n\nRun '{commandPath} --help' for more information";
        }

        if (Max == int.MaxValue)
        {
            return $"{bin}: '{commandPath}' requires at least {Min} {Plural(Min)}\n\nUsage:  {useLine}\n\nSee '{commandPath} --help' for more information";
        }

        if (Min == Max)
        {
            return $"{bin}: '{commandPath}' requires {Min} {Plural(Min)}\n\nUsage:  {useLine}\n\nRun '{commandPath} --help' for more information";
        }

        if (Min == 0)
        {
            return $"{bin}: '{commandPath}' requires at most {Max} {Plural(Max)}\n\nUsage:  {useLine}\n\nRun '{commandPath} --help' for more information";
        }

        return $"{bin}: '{commandPath}' requires at least {Min} and at most {Max} {Plural(Max)}\n\nUsage:  {useLine}\n\nRun '{commandPath} --help' for more information";
    }

    private static string Plural(int n) => n == 1 ? "argument" : "arguments";
}
