using Berth.Cli;
using Berth.Cli.Parsing;

namespace Berth.Tests.Unit.Cli;

/// <summary>Flags and verbs are docker's; the sentences describing them are Berth's own.</summary>
public sealed class HelpTextTests
{
    // Docker's own descriptions (its tagline and some of its best-known command and flag texts).
    private static readonly string[] DockerSentences =
    [
        "A self-sufficient runtime for containers",
        "Manage Docker",
        "Search Docker Hub for images",
        "Show the Docker version information",
        "Return low-level information on Docker objects",
        "Show docker disk usage",
        "For more help on how to use Docker",
        "Create and run a new container from an image",
        "Execute a command in a running container",
        "Show all containers (default shows just running)",
        "Format output using a custom template",
        "Filter output based on conditions provided",
        "Print usage",
        "Daemon socket to connect to",
    ];

    private static IEnumerable<CommandSpec> All(CommandSpec c) => c.Children.SelectMany(All).Prepend(c);

    [Fact]
    public void TopLevelHelp_SpeaksOfBerth_NotInDockersSentences()
    {
        var help = HelpWriter.Render(CommandTree.Build("berth"), 200);
        foreach (var sentence in DockerSentences)
        {
            Assert.DoesNotContain(sentence, help, StringComparison.OrdinalIgnoreCase);
        }

        Assert.Contains("Berth", help, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryCommandAndFlag_HasADescription_AndNoneIsDockers()
    {
        foreach (var cmd in All(CommandTree.Build("berth")))
        {
            Assert.False(string.IsNullOrWhiteSpace(cmd.Short), $"{cmd.Path} has no description");
            var texts = new List<string> { cmd.Short, cmd.Long ?? string.Empty };
            foreach (var flag in cmd.AllFlags().Where(f => !f.Hidden))
            {
                Assert.False(string.IsNullOrWhiteSpace(flag.Usage), $"{cmd.Path} --{flag.Name} has no description");
                texts.Add(flag.Usage);
            }

            foreach (var text in texts)
            {
                foreach (var sentence in DockerSentences)
                {
                    Assert.False(text.Contains(sentence, StringComparison.OrdinalIgnoreCase), $"{cmd.Path}: \"{text}\" is Docker's description");
                }
            }

            var help = HelpWriter.Render(cmd, 120);
            Assert.DoesNotContain("Manage Docker", help, StringComparison.Ordinal);
        }
    }
}
