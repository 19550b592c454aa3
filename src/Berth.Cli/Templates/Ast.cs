namespace Berth.Cli.Templates;

/// <summary>Parse-tree nodes of a Go text/template (the subset docker users rely on).</summary>
public static class Ast
{
    public abstract record Node(int Pos);

    public sealed record TextNode(int Pos, string Text) : Node(Pos);

    public sealed record ActionNode(int Pos, PipeNode Pipe) : Node(Pos);

    public sealed record ListNode(int Pos, List<Node> Nodes) : Node(Pos);

    /// <summary>if / range / with: Kind is "if", "range" or "with".</summary>
    public sealed record BranchNode(int Pos, string Kind, PipeNode Pipe, ListNode List, ListNode? ElseList) : Node(Pos);

    public sealed record BreakNode(int Pos) : Node(Pos);

    public sealed record ContinueNode(int Pos) : Node(Pos);

    public sealed record TemplateCallNode(int Pos, string Name, PipeNode? Pipe) : Node(Pos);

    public sealed record PipeNode(int Pos, bool IsAssign, List<string> Decl, List<CommandNode> Cmds) : Node(Pos);

    public sealed record CommandNode(int Pos, List<Node> Args) : Node(Pos);

    public sealed record FieldNode(int Pos, string[] Ident) : Node(Pos);

    public sealed record VariableNode(int Pos, string[] Ident) : Node(Pos);

    public sealed record ChainNode(int Pos, Node Target, string[] Field) : Node(Pos);

    public sealed record IdentifierNode(int Pos, string Name) : Node(Pos);

    public sealed record DotNode(int Pos) : Node(Pos);

    public sealed record NilNode(int Pos) : Node(Pos);

    public sealed record BoolNode(int Pos, bool Value) : Node(Pos);

    public sealed record NumberNode(int Pos, string Text, long? Int, double Float, bool IsFloat) : Node(Pos);

    public sealed record StringNode(int Pos, string Text) : Node(Pos);
}
