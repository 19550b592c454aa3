using System.Text.Json;

namespace Berth.Runtime.Monitor;

/// <summary>Reads the error runc wrote to its --log file (log-format json).</summary>
public static class RuncLog
{
    /// <summary>The last "error"/"fatal" message, or null.</summary>
    public static string? LastError(string path)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (IOException)
        {
            return null;
        }

        for (var i = lines.Length - 1; i >= 0; i--)
        {
            var msg = ErrorMessage(lines[i]);
            if (msg is not null)
            {
                return msg;
            }
        }

        return null;
    }

    private static string? ErrorMessage(string line)
    {
        try
        {
            var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(line));
            string? level = null, msg = null;
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                reader.Read();
                if (reader.TokenType == JsonTokenType.String && name is "level" or "msg")
                {
                    if (name == "level")
                    {
                        level = reader.GetString();
                    }
                    else
                    {
                        msg = reader.GetString();
                    }
                }
                else
                {
                    reader.Skip();
                }
            }

            return level is "error" or "fatal" ? msg : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
