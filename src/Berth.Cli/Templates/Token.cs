namespace Berth.Cli.Templates;

public readonly record struct Token(TokenKind Kind, string Text, int Pos);
