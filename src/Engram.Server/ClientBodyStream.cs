using Microsoft.AspNetCore.Http;

namespace Engram.Server;

/// <summary>
/// The request body as the endpoints read it. Kestrel reports some malformed bodies (a chunk size that
/// overflows, a connection cut mid-body) as a plain <see cref="IOException"/>, which would otherwise be
/// answered 500 as if the server had failed; reading a request body can only fail because of the client,
/// so those become 400 (Kestrel's own BadHttpRequestException, such as a 413, passes unchanged).
/// </summary>
internal sealed class ClientBodyStream(Stream inner) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count)
    {
        try
        {
            return inner.Read(buffer, offset, count);
        }
        catch (IOException ex) when (ex is not BadHttpRequestException)
        {
            throw Malformed(ex);
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            return await inner.ReadAsync(buffer, cancellationToken);
        }
        catch (IOException ex) when (ex is not BadHttpRequestException)
        {
            throw Malformed(ex);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private static BadHttpRequestException Malformed(IOException ex) =>
        new($"the request body could not be read: {ex.Message.TrimEnd('.')}", StatusCodes.Status400BadRequest, ex);

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
