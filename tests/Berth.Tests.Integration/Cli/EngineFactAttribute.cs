namespace Berth.Tests.Integration.Cli;

/// <summary>A test that needs an engine at $BERTH_TEST_DOCKER_HOST; skipped when it is not set.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class EngineFactAttribute : FactAttribute
{
    public EngineFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("BERTH_TEST_DOCKER_HOST")))
        {
            Skip = "set BERTH_TEST_DOCKER_HOST to an engine socket (unix:///...) to run the CLI against it";
        }
    }
}
