using System.Text;
using Berth.Core.Errors;
using Berth.Core.Filters;

namespace Berth.Fuzz.Targets;

/// <summary>The <c>filters</c> query parameter (JSON) and the time values of since/until filters.</summary>
public static class FiltersTarget
{
    private static readonly DateTimeOffset Now = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static void Run(byte[] data)
    {
        var text = Encoding.UTF8.GetString(data);
        try
        {
            var set = FilterSet.Parse(text);
            foreach (var name in set.Names)
            {
                foreach (var value in set.Get(name))
                {
                    _ = set.MatchesLabels(name, new Dictionary<string, string> { ["a"] = "b" });
                    try
                    {
                        _ = TimeFilter.Parse(value, Now);
                    }
                    catch (BerthException e) when (e.Kind == ErrorKind.InvalidArgument)
                    {
                    }
                }

                try
                {
                    _ = set.GetBool(name);
                }
                catch (BerthException e) when (e.Kind == ErrorKind.InvalidArgument)
                {
                }
            }
        }
        catch (BerthException e) when (e.Kind == ErrorKind.InvalidArgument)
        {
            // Docker's "invalid filter" refusal: a 400, as it should be.
        }

        try
        {
            _ = TimeFilter.Parse(text, Now);
        }
        catch (BerthException e) when (e.Kind == ErrorKind.InvalidArgument)
        {
        }
    }
}
