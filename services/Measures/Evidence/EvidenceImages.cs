using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Processing;

namespace Rectify.Measures.Evidence;

/// <summary>What a photo is by its content (magic bytes, then a full decode), and its thumbnail.</summary>
public static class EvidenceImages
{
    public static readonly IReadOnlySet<string> Types = new HashSet<string> { "image/jpeg", "image/png", "image/webp" };

    /// <summary>The longest side of a thumbnail.</summary>
    public const int ThumbnailSide = 320;

    /// <summary>A phone photo is 12-50 megapixels; anything far larger is a decompression bomb, not evidence.</summary>
    private const long MaxPixels = 100_000_000;

    /// <summary>The type the bytes begin with, or null when they are not a JPEG, PNG or WebP.</summary>
    public static string? Sniff(ReadOnlySpan<byte> data)
    {
        if (data.Length >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF) return "image/jpeg";
        if (data.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])) return "image/png";
        if (data.Length >= 12 && data[..4].SequenceEqual("RIFF"u8) && data[8..12].SequenceEqual("WEBP"u8)) return "image/webp";
        return null;
    }

    /// <summary>Decodes the photo whole and makes its thumbnail; a problem is the reason it is refused.</summary>
    public static (int Width, int Height, byte[] Thumbnail)? Decode(byte[] data, string type, out string? problem)
    {
        problem = null;
        // The JPEG decoder fills a cut-off scan with grey rather than failing: a photo must end with its end-of-image marker.
        if (type == "image/jpeg" && !EndsWithEoi(data))
        {
            problem = "the JPEG is cut off (no end-of-image marker): upload the whole photo";
            return null;
        }
        try
        {
            var info = Image.Identify(data);
            if (info is null) { problem = "is not a readable image"; return null; }
            if ((long)info.Width * info.Height > MaxPixels) { problem = $"the photo is {info.Width}×{info.Height} pixels, more than {MaxPixels / 1_000_000} megapixels"; return null; }
            using var image = Image.Load(data);
            image.Mutate(x => x.AutoOrient());
            var (width, height) = (image.Width, image.Height);
            if (Math.Max(width, height) > ThumbnailSide)
                image.Mutate(x => x.Resize(new ResizeOptions { Mode = ResizeMode.Max, Size = new Size(ThumbnailSide, ThumbnailSide) }));
            using var thumbnail = new MemoryStream();
            image.SaveAsJpeg(thumbnail, new JpegEncoder { Quality = 80 });
            return (width, height, thumbnail.ToArray());
        }
        catch (Exception e) when (e is ImageFormatException or UnknownImageFormatException or InvalidImageContentException or NotSupportedException)
        {
            problem = "the photo cannot be decoded: " + e.Message;
            return null;
        }
    }

    private static bool EndsWithEoi(byte[] data)
    {
        // Some cameras pad after the marker; look at the last few bytes.
        var tail = data.AsSpan(Math.Max(0, data.Length - 64));
        return tail.IndexOf((ReadOnlySpan<byte>)[0xFF, 0xD9]) >= 0;
    }
}
