using System.Globalization;
using System.Text;
using static Berth.Cli.Templates.Ast;

namespace Berth.Cli.Templates;

/// <summary>Go text/template's parser, producing <see cref="Ast"/> nodes.</summary>
public sealed class TemplateParser
{
    private readonly string _input;
    private readonly List<Token> _tokens;
    private readonly Func<string, bool> _isFunction;
    private int _i;

    private TemplateParser(string input, Func<string, bool> isFunction)
    {
        _input = input;
        _tokens = Lexer.Lex(input);
        _isFunction = isFunction;
    }

    public static ListNode Parse(string input, Func<string, bool> isFunction)
    {
        var p = new TemplateParser(input, isFunction);
        var (list, stop) = p.ParseList();
        if (stop is not null)
        {
            throw p.Error(stop.Value.Pos, $"unexpected {{{{{stop.Value.Text}}}}}");
        }

        return list;
    }

    private Token Peek() => _tokens[_i];

    private Token Next() => _tokens[_i++];

    private Token PeekNonSpace()
    {
        while (_tokens[_i].Kind == TokenKind.Space)
        {
            _i++;
        }

        return _tokens[_i];
    }

    private Token NextNonSpace()
    {
        var t = PeekNonSpace();
        _i++;
        return t;
    }

    /// <summary>Parses nodes until EOF, or an {{end}} / {{else}} (returned as the stop token).</summary>
    private (ListNode List, Token? Stop) ParseList()
    {
        var nodes = new List<Node>();
        var startPos = Peek().Pos;
        while (true)
        {
            var t = Next();
            switch (t.Kind)
            {
                case TokenKind.Eof:
                    _i--;
                    return (new ListNode(startPos, nodes), null);
                case TokenKind.Text:
                    nodes.Add(new TextNode(t.Pos, t.Text));
                    break;
                case TokenKind.LeftDelim:
                    var kw = PeekNonSpace();
                    if (kw.Kind == TokenKind.Identifier)
                    {
                        switch (kw.Text)
                        {
                            case "end":
                                _i++;
                                ExpectRightDelim("end");
                                return (new ListNode(startPos, nodes), kw);
                            case "else":
                                _i++;
                                return (new ListNode(startPos, nodes), kw);
                            case "if" or "range" or "with":
                                _i++;
                                nodes.Add(ParseBranch(kw));
                                continue;
                            case "break" or "continue":
                                _i++;
                                ExpectRightDelim(kw.Text);
                                nodes.Add(kw.Text == "break" ? new BreakNode(kw.Pos) : new ContinueNode(kw.Pos));
                                continue;
                            case "template":
                                _i++;
                                nodes.Add(ParseTemplateCall(kw));
                                continue;
                            case "define" or "block":
                                throw Error(kw.Pos, $"{kw.Text} is not supported by berth's template engine");
                        }
                    }

                    var pipe = ParsePipeline("command", TokenKind.RightDelim);
                    nodes.Add(new ActionNode(t.Pos, pipe));
                    break;
                default:
                    throw Error(t.Pos, $"unexpected {t.Text}");
            }
        }
    }

    private Node ParseTemplateCall(Token kw)
    {
        var name = NextNonSpace();
        if (name.Kind is not (TokenKind.String or TokenKind.RawString))
        {
            throw Error(name.Pos, "unexpected token in template clause");
        }

        PipeNode? pipe = null;
        if (PeekNonSpace().Kind != TokenKind.RightDelim)
        {
            pipe = ParsePipeline("template", TokenKind.RightDelim);
        }
        else
        {
            _i++;
        }

        return new TemplateCallNode(kw.Pos, Unquote(name), pipe);
    }

    private void ExpectRightDelim(string context)
    {
        var t = NextNonSpace();
        if (t.Kind != TokenKind.RightDelim)
        {
            throw Error(t.Pos, $"unexpected {Describe(t)} in {context}");
        }
    }

    private BranchNode ParseBranch(Token kw)
    {
        var pipe = ParsePipeline(kw.Text, TokenKind.RightDelim);
        var (list, stop) = ParseList();
        ListNode? elseList = null;
        if (stop is null)
        {
            throw Error(_tokens[_i].Pos, "unexpected EOF");
        }

        if (stop.Value.Text == "else")
        {
            // {{else if ...}} / {{else with ...}}: a nested branch that shares our {{end}}.
            var next = PeekNonSpace();
            if (next.Kind == TokenKind.Identifier && (next.Text == "if" || next.Text == "with") && kw.Text != "range")
            {
                _i++;
                var nested = ParseBranch(next);
                elseList = new ListNode(next.Pos, [nested]);
                return new BranchNode(kw.Pos, kw.Text, pipe, list, elseList);
            }

            ExpectRightDelim("else");
            var (el, stop2) = ParseList();
            if (stop2 is null || stop2.Value.Text != "end")
            {
                throw Error(_tokens[_i].Pos, stop2 is null ? "unexpected EOF" : "expected end; found {{else}}");
            }

            elseList = el;
        }

        return new BranchNode(kw.Pos, kw.Text, pipe, list, elseList);
    }

    private PipeNode ParsePipeline(string context, TokenKind end)
    {
        var start = PeekNonSpace();
        var decl = new List<string>();
        var isAssign = false;

        // Declarations: $x := / $x = / $i, $v :=
        if (start.Kind == TokenKind.Variable)
        {
            var save = _i;
            _i++;
            var after = PeekNonSpace();
            if (after.Kind is TokenKind.Declare or TokenKind.Assign)
            {
                _i++;
                decl.Add(start.Text);
                isAssign = after.Kind == TokenKind.Assign;
            }
            else if (after.Kind == TokenKind.Comma && context == "range")
            {
                _i++;
                var second = NextNonSpace();
                if (second.Kind != TokenKind.Variable)
                {
                    throw Error(second.Pos, "range can only initialize variables");
                }

                var op = NextNonSpace();
                if (op.Kind is not (TokenKind.Declare or TokenKind.Assign))
                {
                    throw Error(op.Pos, "expected := or = in range");
                }

                decl.Add(start.Text);
                decl.Add(second.Text);
                isAssign = op.Kind == TokenKind.Assign;
            }
            else
            {
                _i = save;
            }
        }

        var cmds = new List<CommandNode>();
        while (true)
        {
            var t = PeekNonSpace();
            if (t.Kind == end)
            {
                _i++;
                break;
            }

            if (t.Kind is TokenKind.RightDelim or TokenKind.RightParen or TokenKind.Eof)
            {
                throw Error(t.Pos, $"unexpected {Describe(t)} in {(end == TokenKind.RightParen ? "parenthesized pipeline" : "command")}");
            }

            cmds.Add(ParseCommand());
            var after = PeekNonSpace();
            if (after.Kind == TokenKind.Pipe)
            {
                _i++;
            }
        }

        if (cmds.Count == 0)
        {
            throw Error(start.Pos, $"missing value for {context}");
        }

        return new PipeNode(start.Pos, isAssign, decl, cmds);
    }

    private CommandNode ParseCommand()
    {
        var args = new List<Node>();
        var start = Peek().Pos;
        while (true)
        {
            var t = PeekNonSpace();
            if (t.Kind is TokenKind.Pipe or TokenKind.RightDelim or TokenKind.RightParen)
            {
                break;
            }

            args.Add(ParseOperand());
            var after = Peek();
            if (after.Kind is TokenKind.Space)
            {
                continue;
            }

            if (after.Kind is TokenKind.Pipe or TokenKind.RightDelim or TokenKind.RightParen)
            {
                break;
            }

            throw Error(after.Pos, $"unexpected {Describe(after)} in operand");
        }

        if (args.Count == 0)
        {
            throw Error(start, "empty command");
        }

        return new CommandNode(start, args);
    }

    private Node ParseOperand()
    {
        var term = ParseTerm();
        if (Peek().Kind != TokenKind.Field)
        {
            return term;
        }

        // Like Go, a chained node is positioned at the first field after the term.
        var chainPos = Peek().Pos;
        var fields = new List<string>();
        while (Peek().Kind == TokenKind.Field)
        {
            fields.Add(Next().Text[1..]);
        }

        return term switch
        {
            FieldNode f => new FieldNode(chainPos, [.. f.Ident, .. fields]),
            VariableNode v => new VariableNode(chainPos, [.. v.Ident, .. fields]),
            BoolNode or StringNode or NumberNode or NilNode or DotNode => throw Error(term.Pos, $"unexpected . after term {Describe(_tokens[_i - fields.Count - 1])}"),
            _ => new ChainNode(chainPos, term, [.. fields]),
        };
    }

    private Node ParseTerm()
    {
        var t = NextNonSpace();
        switch (t.Kind)
        {
            case TokenKind.Identifier:
                if (!_isFunction(t.Text))
                {
                    throw Error(t.Pos, $"function \"{t.Text}\" not defined");
                }

                return new IdentifierNode(t.Pos, t.Text);
            case TokenKind.Dot:
                return new DotNode(t.Pos);
            case TokenKind.Nil:
                return new NilNode(t.Pos);
            case TokenKind.Variable:
                return new VariableNode(t.Pos, [t.Text]);
            case TokenKind.Field:
                return new FieldNode(t.Pos, [t.Text[1..]]);
            case TokenKind.Bool:
                return new BoolNode(t.Pos, t.Text == "true");
            case TokenKind.Number:
                return ParseNumber(t);
            case TokenKind.Char:
                var ch = Unquote(new Token(TokenKind.String, "\"" + t.Text[1..^1].Replace("\"", "\\\"", StringComparison.Ordinal) + "\"", t.Pos));
                if (ch.Length == 0)
                {
                    throw Error(t.Pos, "invalid syntax"); // Go's strconv.UnquoteChar of ''
                }

                if (ch.Length > (char.IsHighSurrogate(ch[0]) ? 2 : 1) || char.IsHighSurrogate(ch[0]) && (ch.Length < 2 || !char.IsLowSurrogate(ch[1])))
                {
                    // Go: a character constant holds exactly one rune.
                    throw Error(t.Pos, $"malformed character constant: {t.Text}");
                }

                return new NumberNode(t.Pos, t.Text, char.ConvertToUtf32(ch, 0), char.ConvertToUtf32(ch, 0), false);
            case TokenKind.LeftParen:
                return ParsePipeline("parenthesized pipeline", TokenKind.RightParen);
            case TokenKind.String:
            case TokenKind.RawString:
                return new StringNode(t.Pos, Unquote(t));
            default:
                throw Error(t.Pos, $"unexpected {Describe(t)} in operand");
        }
    }

    private NumberNode ParseNumber(Token t)
    {
        var text = t.Text.Replace("_", string.Empty, StringComparison.Ordinal);
        if (Parsing.GoParse.TryParseInt(text, out var l, out _))
        {
            return new NumberNode(t.Pos, t.Text, l, l, false);
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
        {
            return new NumberNode(t.Pos, t.Text, null, d, true);
        }

        throw Error(t.Pos, $"bad number syntax: \"{t.Text}\"");
    }

    private static string Describe(Token t) => t.Kind switch
    {
        TokenKind.RightDelim => "\"}}\"",
        TokenKind.RightParen => "\")\"",
        TokenKind.Eof => "EOF",
        TokenKind.Space => "space",
        _ => $"<{t.Text}>",
    };

    private TemplateException Error(int pos, string message) => Lexer.Error(_input, pos, message);

    private string Unquote(Token t)
    {
        var s = t.Text;
        if (t.Kind == TokenKind.RawString)
        {
            return s[1..^1].Replace("\r", string.Empty, StringComparison.Ordinal);
        }

        try
        {
            return UnquoteInterpreted(s, t.Pos);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException or IndexOutOfRangeException)
        {
            // A truncated or malformed escape (\u with too few or no hex digits, \x beyond the
            // string): Go's strconv.Unquote fails, and text/template says "invalid syntax".
            throw Error(t.Pos, "invalid syntax");
        }
    }

    private string UnquoteInterpreted(string s, int pos)
    {
        var sb = new StringBuilder();
        for (var i = 1; i < s.Length - 1; i++)
        {
            var c = s[i];
            if (c != '\\')
            {
                sb.Append(c);
                continue;
            }

            c = s[++i];
            switch (c)
            {
                case 'n': sb.Append('\n'); break;
                case 't': sb.Append('\t'); break;
                case 'r': sb.Append('\r'); break;
                case 'a': sb.Append('\a'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'v': sb.Append('\v'); break;
                case '\\': sb.Append('\\'); break;
                case '"': sb.Append('"'); break;
                case '\'': sb.Append('\''); break;
                case 'x':
                    sb.Append((char)int.Parse(s.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                    i += 2;
                    break;
                case 'u':
                    sb.Append((char)int.Parse(s.AsSpan(i + 1, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                    i += 4;
                    break;
                case 'U':
                    sb.Append(char.ConvertFromUtf32(int.Parse(s.AsSpan(i + 1, 8), NumberStyles.HexNumber, CultureInfo.InvariantCulture)));
                    i += 8;
                    break;
                default:
                    if (c is >= '0' and <= '7')
                    {
                        sb.Append((char)Convert.ToInt32(s.Substring(i, 3), 8));
                        i += 2;
                        break;
                    }

                    throw Error(pos, "invalid syntax");
            }
        }

        return sb.ToString();
    }
}
