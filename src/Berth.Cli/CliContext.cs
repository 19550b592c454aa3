using System.Text;
using Berth.Client;

namespace Berth.Cli;

/// <summary>What every command needs: standard streams, the engine client, the config file, the clock.</summary>
public sealed class CliContext
{
    private EngineClient? _client;
    private CliConfig? _config;

    public CliContext(Stream stdin, Stream stdout, Stream stderr)
    {
        StdinStream = stdin;
        StdoutStream = stdout;
        StderrStream = stderr;
        var utf8 = new UTF8Encoding(false);
        Out = new StreamWriter(stdout, utf8, 16 * 1024) { AutoFlush = false, NewLine = "\n" };
        Err = new StreamWriter(stderr, utf8, 1024) { AutoFlush = true, NewLine = "\n" };
    }

    public Stream StdinStream { get; }

    public Stream StdoutStream { get; }

    public Stream StderrStream { get; }

    /// <summary>Buffered stdout; flush before writing raw bytes to <see cref="StdoutStream"/>.</summary>
    public StreamWriter Out { get; }

    public StreamWriter Err { get; }

    public string BinaryName { get; init; } = "berth";

    public string? HostFlag { get; set; }

    public string? ConfigDir { get; set; }

    public bool Debug { get; set; }

    /// <summary>--tls, --tlsverify (null: not given), and the certificate files given on the command line.</summary>
    public bool TlsFlag { get; set; }

    public bool? TlsVerifyFlag { get; set; }

    public string? TlsCaCertFlag { get; set; }

    public string? TlsCertFlag { get; set; }

    public string? TlsKeyFlag { get; set; }

    public Func<string, string?> Environment { get; init; } = global::System.Environment.GetEnvironmentVariable;

    public TimeProvider Clock { get; init; } = TimeProvider.System;

    public bool StdinIsTerminal { get; init; }

    public bool StdoutIsTerminal { get; init; }

    public CliConfig Config => _config ??= CliConfig.Load(ConfigDir);

    public EngineClient Client
    {
        get
        {
            if (_client is null)
            {
                DaemonEndpoint endpoint;
                try
                {
                    endpoint = DaemonEndpoint.Resolve(HostFlag, Environment)
                        .WithTls(ClientTls.Resolve(TlsFlag, TlsVerifyFlag, TlsCaCertFlag, TlsCertFlag, TlsKeyFlag, Config.Directory, Environment));
                }
                catch (FormatException e)
                {
                    throw new CliException(e.Message);
                }

                _client = new EngineClient(endpoint, Environment("DOCKER_API_VERSION"));
                foreach (var h in Config.HttpHeaders())
                {
                    _client.ExtraHeaders[h.Key] = h.Value;
                }
            }

            return _client;
        }
    }

    public void FlushOut() => Out.Flush();
}
