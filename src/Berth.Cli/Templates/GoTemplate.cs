using System.Collections;
using System.Text;
using static Berth.Cli.Templates.Ast;

namespace Berth.Cli.Templates;

/// <summary>
/// A parsed Go text/template, executed against template values (<see cref="JsonModel"/>,
/// <see cref="IFieldProvider"/> contexts, strings, lists). Errors carry Go's wording:
/// <c>template: :1:2: executing "" at &lt;.Foo&gt;: ...</c>.
/// </summary>
public sealed class GoTemplate
{
    private readonly string _text;
    private readonly ListNode _root;

    private GoTemplate(string text, ListNode root, TemplateFunctions functions)
    {
        _text = text;
        _root = root;
        Functions = functions;
    }

    public TemplateFunctions Functions { get; }

    public static GoTemplate Parse(string text, TemplateFunctions? functions = null)
    {
        var f = functions ?? TemplateFunctions.Default;
        return new GoTemplate(text, TemplateParser.Parse(text, f.Contains), f);
    }

    /// <summary>The same template with other functions (docker renders table headers so).</summary>
    public GoTemplate WithFunctions(TemplateFunctions functions) => new(_text, _root, functions);

    public string Execute(object? data)
    {
        var sb = new StringBuilder();
        Execute(sb, data);
        return sb.ToString();
    }

    /// <summary>Executes into <paramref name="output"/>; on error, what was written so far stays.</summary>
    public void Execute(StringBuilder output, object? data)
    {
        var state = new State(this, output, data);
        state.Walk(data, _root);
    }

    private sealed class State
    {
        private readonly GoTemplate _t;
        private readonly StringBuilder _out;
        private readonly List<KeyValuePair<string, object?>> _vars = [];

        public State(GoTemplate t, StringBuilder output, object? root)
        {
            _t = t;
            _out = output;
            _vars.Add(new("$", root));
        }

        public void Walk(object? dot, Node node)
        {
            switch (node)
            {
                case TextNode text:
                    _out.Append(text.Text);
                    break;
                case ActionNode action:
                    {
                        // Declarations ($x := ...) live until the end of the enclosing block.
                        var v = EvalPipeline(dot, action.Pipe);
                        if (action.Pipe.Decl.Count == 0)
                        {
                            GoValues.Print(_out, v, true);
                        }

                        break;
                    }

                case ListNode list:
                    foreach (var n in list.Nodes)
                    {
                        Walk(dot, n);
                    }

                    break;
                case BranchNode { Kind: "range" } range:
                    WalkRange(dot, range);
                    break;
                case BranchNode branch:
                    {
                        var mark = _vars.Count;
                        var v = EvalPipeline(dot, branch.Pipe);
                        if (GoValues.IsTrue(v))
                        {
                            Walk(branch.Kind == "with" ? v : dot, branch.List);
                        }
                        else if (branch.ElseList is not null)
                        {
                            Walk(dot, branch.ElseList);
                        }

                        Pop(mark);
                        break;
                    }

                case BreakNode:
                    throw new BreakSignal();
                case ContinueNode:
                    throw new ContinueSignal();
                case TemplateCallNode call:
                    throw Error(call, $"no such template \"{call.Name}\"");
                default:
                    throw Error(node, "unknown node");
            }
        }

        private void WalkRange(object? dot, BranchNode range)
        {
            var mark = _vars.Count;
            var pipe = range.Pipe;
            var value = EvalPipeline(dot, pipe with { Decl = [] });
            var items = new List<(object? Key, object? Value)>();
            switch (value)
            {
                case GoMap m:
                    foreach (var kv in m.Entries)
                    {
                        items.Add((kv.Key, kv.Value));
                    }

                    break;
                case GoStruct st:
                    foreach (var kv in st.Fields)
                    {
                        items.Add((kv.Key, kv.Value));
                    }

                    break;
                case IList list:
                    for (var i = 0; i < list.Count; i++)
                    {
                        items.Add(((long)i, list[i]));
                    }

                    break;
                case long n:
                    for (long i = 0; i < n; i++)
                    {
                        items.Add((i, i));
                    }

                    break;
                case GoNumber gn when gn.IsInteger:
                    for (long i = 0; i < gn.AsLong; i++)
                    {
                        items.Add((i, i));
                    }

                    break;
                case null or GoNil or NoValue:
                    break;
                default:
                    throw Error(range, $"range can't iterate over {GoValues.Sprint(value)}");
            }

            if (items.Count == 0)
            {
                if (range.ElseList is not null)
                {
                    Walk(dot, range.ElseList);
                }

                Pop(mark);
                return;
            }

            foreach (var (key, item) in items)
            {
                var inner = _vars.Count;
                if (pipe.Decl.Count == 1)
                {
                    SetOrPush(pipe.Decl[0], item, pipe.IsAssign);
                }
                else if (pipe.Decl.Count == 2)
                {
                    SetOrPush(pipe.Decl[0], key, pipe.IsAssign);
                    SetOrPush(pipe.Decl[1], item, pipe.IsAssign);
                }

                try
                {
                    Walk(item, range.List);
                }
                catch (BreakSignal)
                {
                    Pop(inner);
                    break;
                }
                catch (ContinueSignal)
                {
                }

                Pop(inner);
            }

            Pop(mark);
        }

        private void SetOrPush(string name, object? value, bool assign)
        {
            if (assign)
            {
                SetVar(name, value);
            }
            else
            {
                _vars.Add(new(name, value));
            }
        }

        private void Pop(int mark)
        {
            if (_vars.Count > mark)
            {
                _vars.RemoveRange(mark, _vars.Count - mark);
            }
        }

        private void SetVar(string name, object? value)
        {
            for (var i = _vars.Count - 1; i >= 0; i--)
            {
                if (_vars[i].Key == name)
                {
                    _vars[i] = new(name, value);
                    return;
                }
            }

            throw new TemplateException($"template: :1: undefined variable: {name}");
        }

        private object? GetVar(Node at, string name)
        {
            for (var i = _vars.Count - 1; i >= 0; i--)
            {
                if (_vars[i].Key == name)
                {
                    return _vars[i].Value;
                }
            }

            throw Error(at, $"undefined variable: {name}");
        }

        private object? EvalPipeline(object? dot, PipeNode pipe)
        {
            object? value = null;
            var hasFinal = false;
            foreach (var cmd in pipe.Cmds)
            {
                value = EvalCommand(dot, cmd, value, hasFinal);
                hasFinal = true;
            }

            foreach (var name in pipe.Decl)
            {
                SetOrPush(name, value, pipe.IsAssign);
            }

            return value;
        }

        private object? EvalCommand(object? dot, CommandNode cmd, object? final, bool hasFinal)
        {
            var first = cmd.Args[0];
            switch (first)
            {
                case FieldNode field:
                    return EvalFieldChain(dot, dot, field, field.Ident, cmd.Args, final, hasFinal);
                case ChainNode chain:
                    {
                        var target = EvalArg(dot, chain.Target);
                        return EvalFieldChain(dot, target, chain, chain.Field, cmd.Args, final, hasFinal);
                    }

                case IdentifierNode ident:
                    return EvalFunction(dot, ident, cmd.Args, final, hasFinal);
                case PipeNode pipe:
                    NotAFunction(cmd, cmd.Args, hasFinal);
                    var mark = _vars.Count;
                    var v = EvalPipeline(dot, pipe);
                    Pop(mark);
                    return v;
                case VariableNode variable:
                    {
                        var value = GetVar(variable, variable.Ident[0]);
                        if (variable.Ident.Length == 1)
                        {
                            NotAFunction(cmd, cmd.Args, hasFinal);
                            return value;
                        }

                        return EvalFieldChain(dot, value, variable, variable.Ident[1..], cmd.Args, final, hasFinal);
                    }
            }

            NotAFunction(cmd, cmd.Args, hasFinal);
            return EvalArg(dot, first);
        }

        private void NotAFunction(Node at, List<Node> args, bool hasFinal)
        {
            if (args.Count > 1 || hasFinal)
            {
                throw Error(at, $"can't give argument to non-function {NodeText(args[0])}");
            }
        }

        private object? EvalArg(object? dot, Node n) => n switch
        {
            DotNode => dot,
            NilNode => null,
            BoolNode b => b.Value,
            StringNode s => s.Text,
            NumberNode num => num.IsFloat ? num.Float : num.Int!.Value,
            FieldNode f => EvalFieldChain(dot, dot, f, f.Ident, [f], null, false),
            VariableNode v => v.Ident.Length == 1 ? GetVar(v, v.Ident[0]) : EvalFieldChain(dot, GetVar(v, v.Ident[0]), v, v.Ident[1..], [v], null, false),
            PipeNode p => EvalPipelineScoped(dot, p),
            IdentifierNode id => EvalFunction(dot, id, [id], null, false),
            ChainNode c => EvalFieldChain(dot, EvalArg(dot, c.Target), c, c.Field, [c], null, false),
            _ => throw Error(n, "can't handle argument"),
        };

        private object? EvalPipelineScoped(object? dot, PipeNode p)
        {
            var mark = _vars.Count;
            var v = EvalPipeline(dot, p);
            Pop(mark);
            return v;
        }

        private object? EvalFunction(object? dot, IdentifierNode ident, List<Node> args, object? final, bool hasFinal)
        {
            var name = ident.Name;
            if (name is "and" or "or")
            {
                if (args.Count < 2 && !hasFinal)
                {
                    throw Error(ident, $"wrong number of args for {name}: want at least 1 got 0");
                }

                object? v = null;
                for (var i = 1; i < args.Count; i++)
                {
                    v = EvalArg(dot, args[i]);
                    if (GoValues.IsTrue(v) == (name == "or"))
                    {
                        return v;
                    }
                }

                if (hasFinal)
                {
                    v = final;
                }

                return v;
            }

            if (!_t.Functions.TryGet(name, out var fn))
            {
                throw Error(ident, $"function \"{name}\" not defined");
            }

            var values = new List<object?>(args.Count);
            for (var i = 1; i < args.Count; i++)
            {
                values.Add(EvalArg(dot, args[i]));
            }

            if (hasFinal)
            {
                values.Add(final);
            }

            try
            {
                return fn(values);
            }
            catch (TemplateException e) when (!e.Message.StartsWith("template:", StringComparison.Ordinal))
            {
                var msg = e.Message.StartsWith("error calling", StringComparison.Ordinal) || e.Message.StartsWith("wrong number", StringComparison.Ordinal)
                    ? e.Message
                    : $"error calling {name}: {e.Message}";
                throw Error(ident, msg);
            }
        }

        private object? EvalFieldChain(object? dot, object? receiver, Node node, string[] idents, List<Node> args, object? final, bool hasFinal)
        {
            for (var i = 0; i < idents.Length - 1; i++)
            {
                receiver = EvalField(dot, idents[i], node, [], null, false, receiver);
            }

            return EvalField(dot, idents[^1], node, args, final, hasFinal, receiver);
        }

        private object? EvalField(object? dot, string name, Node node, List<Node> args, object? final, bool hasFinal, object? receiver)
        {
            var hasArgs = args.Count > 1 || hasFinal;
            switch (receiver)
            {
                case IFieldProvider provider:
                    {
                        var values = new List<object?>();
                        for (var i = 1; i < args.Count; i++)
                        {
                            values.Add(EvalArg(dot, args[i]));
                        }

                        if (hasFinal)
                        {
                            values.Add(final);
                        }

                        try
                        {
                            if (provider.TryGetField(name, values, out var v))
                            {
                                return v;
                            }
                        }
                        catch (TemplateException e) when (!e.Message.StartsWith("template:", StringComparison.Ordinal))
                        {
                            throw Error(node, e.Message);
                        }

                        throw Error(node, $"can't evaluate field {name} in type {provider.TypeName}");
                    }

                case GoStruct st:
                    if (hasArgs)
                    {
                        throw Error(node, $"{name} has arguments but cannot be invoked as function");
                    }

                    if (st.Index.TryGetValue(name, out var fv))
                    {
                        return fv;
                    }

                    throw Error(node, $"can't evaluate field {name} in type {st.TypeName}");
                case GoMap m:
                    if (hasArgs)
                    {
                        throw Error(node, $"{name} is not a method but has arguments");
                    }

                    if (m.Entries.TryGetValue(name, out var mv))
                    {
                        return mv;
                    }

                    return m.MissingKeyError ? throw Error(node, $"map has no entry for key \"{name}\"") : NoValue.Instance;
                case GoNil { MissingField: { } missing }:
                    throw Error(node, $"map has no entry for key \"{missing}\"");
                case GoNil { Kind: NilKind.Map }:
                    return NoValue.Instance;
                case GoNil or null:
                    throw Error(node, $"nil pointer evaluating interface {{}}.{name}");
                case NoValue:
                    throw Error(node, $"nil data; no entry for key \"{name}\"");
                default:
                    throw Error(node, $"can't evaluate field {name} in type {GoFmt.TypeName(receiver)}");
            }
        }

        private TemplateException Error(Node node, string message)
        {
            var text = _t._text;
            var pos = Math.Min(node.Pos, text.Length);
            var before = text.AsSpan(0, pos);
            var line = 1 + before.Count('\n');
            var lastNl = before.LastIndexOf('\n');
            var col = lastNl < 0 ? pos : pos - (lastNl + 1);
            var context = NodeText(node);
            if (context.Length > 20)
            {
                context = context[..20] + "...";
            }

            return new TemplateException($"template: :{line}:{col}: executing \"\" at <{context}>: {message}");
        }

        private static string NodeText(Node n) => n switch
        {
            FieldNode f => "." + string.Join('.', f.Ident),
            VariableNode v => string.Join('.', v.Ident),
            ChainNode c => (c.Target is PipeNode ? "(" + NodeText(c.Target) + ")" : NodeText(c.Target)) + "." + string.Join('.', c.Field),
            IdentifierNode i => i.Name,
            DotNode => ".",
            NilNode => "nil",
            BoolNode b => b.Value ? "true" : "false",
            NumberNode num => num.Text,
            StringNode s => Parsing.GoParse.Quote(s.Text),
            PipeNode p => (p.Decl.Count > 0 ? string.Join(", ", p.Decl) + (p.IsAssign ? " = " : " := ") : string.Empty)
                + string.Join(" | ", p.Cmds.Select(c => NodeText(c))),
            CommandNode c => string.Join(' ', c.Args.Select(a => a is PipeNode ? "(" + NodeText(a) + ")" : NodeText(a))),
            ActionNode a => "{{" + NodeText(a.Pipe) + "}}",
            BranchNode b => "{{" + b.Kind + " " + NodeText(b.Pipe) + "}}",
            _ => string.Empty,
        };

        private sealed class BreakSignal : Exception
        {
        }

        private sealed class ContinueSignal : Exception
        {
        }
    }
}
