using Berth.Fuzz.Targets;

namespace Berth.Tests.Unit.Fuzz;

/// <summary>
/// Replays, through the fuzz targets of tests/Berth.Fuzz, every input that once crashed a parser
/// (kept under Fuzz/regressions/&lt;target&gt;/, named after what they broke) and each target's
/// seeds, so a fixed crash stays fixed. scripts/fuzz.sh copies new crashing inputs there.
/// </summary>
public sealed class FuzzRegressionTests
{
    private static string RegressionDir => Path.Combine(AppContext.BaseDirectory, "Fuzz", "regressions");

    public static TheoryData<string, string> Regressions()
    {
        var data = new TheoryData<string, string>();
        foreach (var target in FuzzTargets.All.Keys)
        {
            data.Add(target, "(seeds)");
            var dir = Path.Combine(RegressionDir, target);
            if (Directory.Exists(dir))
            {
                foreach (var file in Directory.GetFiles(dir).Order(StringComparer.Ordinal))
                {
                    data.Add(target, Path.GetFileName(file));
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Regressions))]
    public void Once_crashing_inputs_are_handled(string target, string input)
    {
        var run = FuzzTargets.All[target];
        if (input == "(seeds)")
        {
            foreach (var seed in FuzzTargets.Seeds(target))
            {
                run(seed);
            }

            return;
        }

        run(File.ReadAllBytes(Path.Combine(RegressionDir, target, input)));
    }

    [Fact]
    public void Every_regression_directory_names_a_target()
    {
        if (Directory.Exists(RegressionDir))
        {
            Assert.All(Directory.GetDirectories(RegressionDir), d => Assert.Contains(Path.GetFileName(d), FuzzTargets.All.Keys));
        }
    }
}
