using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Cli.Formatting;

namespace Berth.Cli.Streams;

/// <summary>
/// docker's jsonmessage.DisplayJSONMessagesStream: one line per status without a terminal;
/// on a terminal, one line per layer ID updated in place with a progress bar.
/// </summary>
public sealed class JsonMessages
{
    private readonly TextWriter _out;
    private readonly bool _terminal;
    private readonly int _width;
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);

    public JsonMessages(TextWriter output, bool terminal, int width)
    {
        _out = output;
        _terminal = terminal;
        _width = width;
    }

    /// <summary>Called for each "aux" message (image IDs of build/push/load).</summary>
    public Action<JsonNode>? OnAux { get; init; }

    /// <summary>Renders the stream; throws <see cref="JsonMessageException"/> on an error message.</summary>
    public async Task DisplayAsync(Stream stream, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8, false, 16 * 1024, leaveOpen: true);
        var pending = new StringBuilder();
        var buffer = new char[16 * 1024];
        while (true)
        {
            var n = await reader.ReadAsync(buffer, cancellationToken);
            if (n == 0)
            {
                break;
            }

            pending.Append(buffer, 0, n);
            while (TryTakeObject(pending, out var json))
            {
                Handle(json);
                await _out.FlushAsync(cancellationToken);
            }
        }

        var rest = pending.ToString().Trim();
        if (rest.Length > 0)
        {
            Handle(rest);
        }

        await _out.FlushAsync(cancellationToken);
    }

    private void Handle(string json)
    {
        JsonNode? jm;
        try
        {
            jm = JsonNode.Parse(json);
        }
        catch (JsonException)
        {
            return;
        }

        if (jm is not JsonObject o)
        {
            return;
        }

        if (o["aux"] is { } aux)
        {
            OnAux?.Invoke(aux);
            return;
        }

        var id = Str(o, "id");
        var progress = o["progressDetail"] as JsonObject;
        var progressMessage = Str(o, "progress");
        var diff = 0;
        if (id.Length > 0 && (progress is not null || progressMessage.Length > 0))
        {
            if (!_ids.TryGetValue(id, out var line))
            {
                line = _ids.Count;
                _ids[id] = line;
                if (_terminal)
                {
                    _out.Write('\n');
                }
            }

            diff = _ids.Count - line;
            if (_terminal)
            {
                _out.Write($"\u001b[{diff}A");
            }
        }
        else
        {
            _ids.Clear();
        }

        try
        {
            Display(o, id, progress, progressMessage);
        }
        finally
        {
            if (id.Length > 0 && _terminal && diff > 0)
            {
                _out.Write($"\u001b[{diff}B");
            }
        }
    }

    private void Display(JsonObject o, string id, JsonObject? progress, string progressMessage)
    {
        if (o["errorDetail"] is JsonObject || o["error"] is not null)
        {
            var code = o["errorDetail"]?["code"] is JsonValue cv && cv.TryGetValue<int>(out var c) ? c : 0;
            var message = Str(o["errorDetail"] as JsonObject, "message");
            if (message.Length == 0)
            {
                message = Str(o, "error");
            }

            throw new JsonMessageException(code == 401 ? "authentication is required" : message);
        }

        var stream = Str(o, "stream");
        var status = Str(o, "status");
        var bar = progress is null ? string.Empty : ProgressString(progress);
        var endl = string.Empty;
        if (_terminal && stream.Length == 0 && progress is not null)
        {
            _out.Write("\u001b[2K\r");
            endl = "\r";
        }
        else if (progress is not null && bar.Length > 0)
        {
            // No progress bars without a terminal.
            return;
        }

        if (id.Length > 0)
        {
            _out.Write(id + ": ");
        }

        if (Str(o, "from") is { Length: > 0 } from)
        {
            _out.Write($"(from {from}) ");
        }

        if (progress is not null && _terminal)
        {
            _out.Write($"{status} {bar}{endl}");
        }
        else if (progressMessage.Length > 0)
        {
            _out.Write($"{status} {progressMessage}{endl}");
        }
        else if (stream.Length > 0)
        {
            _out.Write(stream + endl);
        }
        else
        {
            _out.Write(status + endl + "\n");
        }
    }

    private string ProgressString(JsonObject p)
    {
        var current = Commands.Common.Long(p, "current");
        var total = Commands.Common.Long(p, "total");
        var unitsName = Str(p, "units");
        var start = Commands.Common.Long(p, "start");
        if (current <= 0 && total <= 0)
        {
            return string.Empty;
        }

        if (total <= 0)
        {
            return unitsName.Length == 0 ? Units.HumanSize(current).PadLeft(8) : $"{current} {unitsName}";
        }

        var percentage = Math.Min(50, (int)((double)current / total * 100) / 2);
        var pb = string.Empty;
        if (_width > 110)
        {
            pb = "[" + new string('=', percentage) + ">" + new string(' ', Math.Max(0, 50 - percentage)) + "] ";
        }

        string numbers;
        if (Commands.Common.Bool(p, "hidecounts"))
        {
            numbers = string.Empty;
        }
        else if (unitsName.Length == 0)
        {
            numbers = current > total ? Units.HumanSize(current).PadLeft(8) : Units.HumanSize(current).PadLeft(8) + "/" + Units.HumanSize(total);
        }
        else
        {
            numbers = current > total ? $"{current} {unitsName}" : $"{current}/{total} {unitsName}";
        }

        var timeLeft = string.Empty;
        if (current > 0 && start > 0 && percentage < 50 && _width > 50)
        {
            var fromStart = DateTimeOffset.UtcNow - DateTimeOffset.FromUnixTimeSeconds(start);
            var left = TimeSpan.FromTicks(fromStart.Ticks / current * (total - current));
            timeLeft = " " + GoDuration((long)left.TotalSeconds);
        }

        return pb + numbers + timeLeft;
    }

    private static string GoDuration(long seconds)
    {
        if (seconds == 0)
        {
            return "0s";
        }

        var h = seconds / 3600;
        var m = seconds % 3600 / 60;
        var s = seconds % 60;
        return (h > 0 ? $"{h}h" : string.Empty) + (h > 0 || m > 0 ? $"{m}m" : string.Empty) + $"{s}s";
    }

    private static string Str(JsonObject? o, string key) =>
        o?[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : string.Empty;

    /// <summary>Splits concatenated JSON objects (the engine sends them back to back, usually one per line).</summary>
    private static bool TryTakeObject(StringBuilder sb, out string json)
    {
        json = string.Empty;
        var depth = 0;
        var inString = false;
        var escape = false;
        var start = -1;
        for (var i = 0; i < sb.Length; i++)
        {
            var c = sb[i];
            if (start < 0)
            {
                if (c == '{')
                {
                    start = i;
                    depth = 1;
                }

                continue;
            }

            if (inString)
            {
                if (escape)
                {
                    escape = false;
                }
                else if (c == '\\')
                {
                    escape = true;
                }
                else if (c == '"')
                {
                    inString = false;
                }

                continue;
            }

            switch (c)
            {
                case '"': inString = true; break;
                case '{': depth++; break;
                case '}':
                    depth--;
                    if (depth == 0)
                    {
                        json = sb.ToString(start, i - start + 1);
                        sb.Remove(0, i + 1);
                        return true;
                    }

                    break;
            }
        }

        return false;
    }
}
