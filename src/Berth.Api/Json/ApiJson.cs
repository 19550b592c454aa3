using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Berth.Api.Json;

/// <summary>The one set of JSON options for the wire: every resource's source-generated context chained.</summary>
public static class ApiJson
{
    private static readonly List<IJsonTypeInfoResolver> Resolvers = [SystemJsonContext.Default];

    /// <summary>Adds a resource's context; call during start-up, before <see cref="Options"/> is first used.</summary>
    public static void Register(IJsonTypeInfoResolver resolver)
    {
        lock (Resolvers)
        {
            if (!Resolvers.Contains(resolver))
            {
                Resolvers.Add(resolver);
            }
        }
    }

    /// <summary>Applies Berth's wire conventions to options (used for ASP.NET's and the client's).</summary>
    public static void Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = null;
        options.PropertyNameCaseInsensitive = true;
        options.NumberHandling = global::System.Text.Json.Serialization.JsonNumberHandling.AllowReadingFromString;
        options.AllowTrailingCommas = true;
        options.ReadCommentHandling = JsonCommentHandling.Skip;
        options.Encoder = global::System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        options.Converters.Add(new GoNullBooleanConverter());
        options.Converters.Add(new GoNullInt32Converter());
        options.Converters.Add(new GoNullInt64Converter());
        options.Converters.Add(new GoNullUInt16Converter());
        options.Converters.Add(new GoNullUInt64Converter());
        lock (Resolvers)
        {
            options.TypeInfoResolverChain.Clear();
            foreach (var r in Resolvers)
            {
                options.TypeInfoResolverChain.Add(r);
            }
        }
    }
}
