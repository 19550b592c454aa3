namespace Berth.Daemon.Http;

/// <summary>
/// The proxy settings /info reports, as dockerd reports them: HTTP_PROXY or http_proxy (and so
/// on) from the daemon's environment, with any user name and password in a URL replaced by
/// "xxxxx:xxxxx" (dockerd's MaskCredentials): /info is readable by every API client.
/// </summary>
public static class ProxySettings
{
    public static string HttpProxy => Mask(Get("HTTP_PROXY"));

    public static string HttpsProxy => Mask(Get("HTTPS_PROXY"));

    public static string NoProxy => Get("NO_PROXY");

    private static string Get(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } upper ? upper
        : Environment.GetEnvironmentVariable(name.ToLowerInvariant()) ?? string.Empty;

    public static string Mask(string url)
    {
        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        if (scheme < 0)
        {
            return url;
        }

        var authorityStart = scheme + 3;
        var authorityEnd = url.IndexOfAny(['/', '?', '#'], authorityStart);
        var authority = authorityEnd < 0 ? url[authorityStart..] : url[authorityStart..authorityEnd];
        var at = authority.LastIndexOf('@');
        return at < 0 ? url : string.Concat(url.AsSpan(0, authorityStart), "xxxxx:xxxxx", url.AsSpan(authorityStart + at));
    }
}
