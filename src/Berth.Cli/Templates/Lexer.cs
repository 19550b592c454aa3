namespace Berth.Cli.Templates;

/// <summary>Go text/template's lexer: text, delimiters with trim markers, comments, and action tokens.</summary>
public static class Lexer
{
    public static List<Token> Lex(string input)
    {
        var tokens = new List<Token>();
        var pos = 0;
        var trimNextText = false;
        while (pos < input.Length)
        {
            var open = input.IndexOf("{{", pos, StringComparison.Ordinal);
            var textEnd = open < 0 ? input.Length : open;
            var text = input[pos..textEnd];
            var trimLeft = open >= 0 && open + 3 < input.Length && input[open + 2] == '-' && IsSpace(input[open + 3]);
            if (trimNextText)
            {
                text = text.TrimStart(' ', '\t', '\r', '\n');
            }

            if (trimLeft)
            {
                text = text.TrimEnd(' ', '\t', '\r', '\n');
            }

            if (text.Length > 0)
            {
                tokens.Add(new Token(TokenKind.Text, text, pos));
            }

            trimNextText = false;
            if (open < 0)
            {
                break;
            }

            pos = open + 2;
            if (trimLeft)
            {
                pos += 2;
            }

            // Comment: {{/* ... */}} (Go requires it right after the delimiter and trim marker).
            if (input.AsSpan(pos).StartsWith("/*"))
            {
                var end = input.IndexOf("*/", pos + 2, StringComparison.Ordinal);
                if (end < 0)
                {
                    throw Error(input, open, "unclosed comment");
                }

                var p = end + 2;
                if (input.AsSpan(p).StartsWith(" -}}"))
                {
                    trimNextText = true;
                    pos = p + 4;
                }
                else if (input.AsSpan(p).StartsWith("}}"))
                {
                    pos = p + 2;
                }
                else
                {
                    throw Error(input, open, "comment ends before closing delimiter");
                }

                continue;
            }

            tokens.Add(new Token(TokenKind.LeftDelim, "{{", open));
            pos = LexInside(input, pos, tokens, out trimNextText);
        }

        tokens.Add(new Token(TokenKind.Eof, string.Empty, input.Length));
        return tokens;
    }

    private static int LexInside(string input, int pos, List<Token> tokens, out bool trimNext)
    {
        var parenDepth = 0;
        trimNext = false;
        while (true)
        {
            if (pos >= input.Length)
            {
                throw Error(input, pos, "unclosed action");
            }

            var c = input[pos];

            // Right delimiter, possibly with trim marker " -}}".
            if (IsSpace(c))
            {
                var start = pos;
                while (pos < input.Length && IsSpace(input[pos]))
                {
                    pos++;
                }

                if (input.AsSpan(pos).StartsWith("-}}"))
                {
                    tokens.Add(new Token(TokenKind.RightDelim, "}}", pos));
                    trimNext = true;
                    return pos + 3;
                }

                tokens.Add(new Token(TokenKind.Space, input[start..pos], start));
                continue;
            }

            if (input.AsSpan(pos).StartsWith("}}"))
            {
                if (parenDepth > 0)
                {
                    throw Error(input, pos, "unclosed left paren");
                }

                tokens.Add(new Token(TokenKind.RightDelim, "}}", pos));
                return pos + 2;
            }

            switch (c)
            {
                case '|':
                    tokens.Add(new Token(TokenKind.Pipe, "|", pos++));
                    continue;
                case '(':
                    parenDepth++;
                    tokens.Add(new Token(TokenKind.LeftParen, "(", pos++));
                    continue;
                case ')':
                    parenDepth--;
                    if (parenDepth < 0)
                    {
                        throw Error(input, pos, "unexpected right paren");
                    }

                    tokens.Add(new Token(TokenKind.RightParen, ")", pos++));
                    continue;
                case ',':
                    tokens.Add(new Token(TokenKind.Comma, ",", pos++));
                    continue;
                case ':':
                    if (pos + 1 < input.Length && input[pos + 1] == '=')
                    {
                        tokens.Add(new Token(TokenKind.Declare, ":=", pos));
                        pos += 2;
                        continue;
                    }

                    throw Error(input, pos, "expected :=");
                case '=':
                    tokens.Add(new Token(TokenKind.Assign, "=", pos++));
                    continue;
                case '"':
                    {
                        var start = pos++;
                        while (pos < input.Length && input[pos] != '"')
                        {
                            if (input[pos] == '\\')
                            {
                                pos++;
                            }

                            if (pos < input.Length && input[pos] == '\n')
                            {
                                throw Error(input, start, "unterminated quoted string");
                            }

                            pos++;
                        }

                        if (pos >= input.Length)
                        {
                            throw Error(input, start, "unterminated quoted string");
                        }

                        pos++;
                        tokens.Add(new Token(TokenKind.String, input[start..pos], start));
                        continue;
                    }

                case '`':
                    {
                        var start = pos++;
                        var end = input.IndexOf('`', pos);
                        if (end < 0)
                        {
                            throw Error(input, start, "unterminated raw quoted string");
                        }

                        pos = end + 1;
                        tokens.Add(new Token(TokenKind.RawString, input[start..pos], start));
                        continue;
                    }

                case '\'':
                    {
                        var start = pos++;
                        while (pos < input.Length && input[pos] != '\'')
                        {
                            if (input[pos] == '\\')
                            {
                                pos++;
                            }

                            pos++;
                        }

                        pos++;
                        tokens.Add(new Token(TokenKind.Char, input[start..Math.Min(pos, input.Length)], start));
                        continue;
                    }

                case '$':
                    {
                        var start = pos++;
                        while (pos < input.Length && IsAlnum(input[pos]))
                        {
                            pos++;
                        }

                        tokens.Add(new Token(TokenKind.Variable, input[start..pos], start));
                        continue;
                    }

                case '.':
                    {
                        if (pos + 1 < input.Length && char.IsAsciiDigit(input[pos + 1]))
                        {
                            pos = LexNumber(input, pos, tokens);
                            continue;
                        }

                        var start = pos++;
                        while (pos < input.Length && IsAlnum(input[pos]))
                        {
                            pos++;
                        }

                        tokens.Add(pos - start == 1
                            ? new Token(TokenKind.Dot, ".", start)
                            : new Token(TokenKind.Field, input[start..pos], start));
                        continue;
                    }
            }

            if (c == '-' || c == '+' || char.IsAsciiDigit(c))
            {
                pos = LexNumber(input, pos, tokens);
                continue;
            }

            if (IsAlnum(c))
            {
                var start = pos;
                while (pos < input.Length && IsAlnum(input[pos]))
                {
                    pos++;
                }

                var word = input[start..pos];
                var kind = word switch
                {
                    "true" or "false" => TokenKind.Bool,
                    "nil" => TokenKind.Nil,
                    _ => TokenKind.Identifier,
                };
                tokens.Add(new Token(kind, word, start));
                continue;
            }

            throw Error(input, pos, $"unrecognized character in action: {GoQuoteRune(c)}");
        }
    }

    private static int LexNumber(string input, int pos, List<Token> tokens)
    {
        var start = pos;
        if (input[pos] is '+' or '-')
        {
            pos++;
        }

        while (pos < input.Length && (char.IsAsciiLetterOrDigit(input[pos]) || input[pos] is '.' or '_' || ((input[pos] is '+' or '-') && pos > start && input[pos - 1] is 'e' or 'E' or 'p' or 'P')))
        {
            pos++;
        }

        tokens.Add(new Token(TokenKind.Number, input[start..pos], start));
        return pos;
    }

    private static string GoQuoteRune(char c) => c switch
    {
        '\n' => "U+000A",
        _ => $"U+{(int)c:X4} '{c}'",
    };

    internal static TemplateException Error(string input, int pos, string message)
    {
        var line = 1 + input.AsSpan(0, Math.Min(pos, input.Length)).Count('\n');
        return new TemplateException($"template: :{line}: {message}");
    }

    private static bool IsSpace(char c) => c is ' ' or '\t' or '\r' or '\n';

    private static bool IsAlnum(char c) => c == '_' || char.IsLetterOrDigit(c);
}
