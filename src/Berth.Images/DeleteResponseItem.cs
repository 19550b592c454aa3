namespace Berth.Images;

/// <summary>One line of Docker's rmi result: either an untagged reference or a deleted ID.</summary>
public sealed record DeleteResponseItem(string? Untagged, string? Deleted)
{
    public static DeleteResponseItem UntaggedRef(string familiar) => new(familiar, null);

    public static DeleteResponseItem DeletedId(string id) => new(null, id);
}
