using System.Globalization;
using System.Text;
using System.Threading.Channels;
using Berth.Runtime;

namespace Berth.Tests.Unit.Containers;

/// <summary>
/// The busybox programs the runtime conformance suite runs, as the fake runtime plays them:
/// <c>true</c>, <c>false</c>, <c>echo</c>, <c>cat</c> (stdin to stdout), <c>sleep</c> (until
/// killed) and <c>sh -c</c> with statements separated by ';': <c>echo TEXT</c>, <c>echo TEXT &gt;&amp;2</c>,
/// <c>exit N</c>, <c>sleep N</c>.
/// </summary>
internal static class FakePrograms
{
    /// <summary>Runs <paramref name="args"/>; returns the exit code (or waits for <paramref name="killed"/> and returns its code).</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, Action<OutputStream, string> write, ChannelReader<ReadOnlyMemory<byte>> stdin, Task<RuntimeExit> killed)
    {
        switch (args[0])
        {
            case "true":
                return 0;
            case "false":
                return 1;
            case "echo":
                write(OutputStream.Stdout, string.Join(' ', args.Skip(1)) + "\n");
                return 0;
            case "sleep":
                return (await killed.ConfigureAwait(false)).ExitCode;
            case "cat":
                await foreach (var data in stdin.ReadAllAsync().ConfigureAwait(false))
                {
                    write(OutputStream.Stdout, Encoding.UTF8.GetString(data.Span));
                }

                return 0;
            case "sh" when args.Count == 3 && args[1] == "-c":
                return await ShellAsync(args[2], write, stdin, killed).ConfigureAwait(false);
            default:
                throw new NotSupportedException($"the fake runtime does not play {args[0]}");
        }
    }

    private static async Task<int> ShellAsync(string script, Action<OutputStream, string> write, ChannelReader<ReadOnlyMemory<byte>> stdin, Task<RuntimeExit> killed)
    {
        var last = 0;
        foreach (var statement in script.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var words = statement.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words[0] == "exit")
            {
                return words.Length > 1 ? int.Parse(words[1], CultureInfo.InvariantCulture) : last;
            }

            if (words[0] == "echo" && words[^1] == ">&2")
            {
                write(OutputStream.Stderr, string.Join(' ', words[1..^1]) + "\n");
                last = 0;
                continue;
            }

            last = await RunAsync(words, write, stdin, killed).ConfigureAwait(false);
        }

        return last;
    }
}
