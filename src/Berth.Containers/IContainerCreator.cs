namespace Berth.Containers;

/// <summary>POST /containers/create: validates, resolves the image, reserves the name, prepares the writable layer and volumes, writes the record last.</summary>
public interface IContainerCreator
{
    Task<CreateContainerResult> CreateAsync(CreateContainerRequest request, CancellationToken cancellationToken);
}
