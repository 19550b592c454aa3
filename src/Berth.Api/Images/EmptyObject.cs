namespace Berth.Api.Images;

/// <summary>The "{}" values of Docker's port and volume sets.</summary>
public sealed record EmptyObject;
