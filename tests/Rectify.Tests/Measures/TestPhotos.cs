using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Rectify.Tests.Measures;

/// <summary>Photos made in code: noise, so the JPEG is large enough to need several chunks.</summary>
public static class TestPhotos
{
    public static byte[] Jpeg(int width, int height, int seed = 1)
    {
        using var image = Noise(width, height, seed);
        using var stream = new MemoryStream();
        image.SaveAsJpeg(stream);
        return stream.ToArray();
    }

    public static byte[] Png(int width, int height, int seed = 1)
    {
        using var image = Noise(width, height, seed);
        using var stream = new MemoryStream();
        image.SaveAsPng(stream);
        return stream.ToArray();
    }

    private static Image<Rgb24> Noise(int width, int height, int seed)
    {
        var random = new Random(seed);
        var image = new Image<Rgb24>(width, height);
        image.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < rows.Height; y++)
            {
                var row = rows.GetRowSpan(y);
                for (var x = 0; x < row.Length; x++) row[x] = new Rgb24((byte)random.Next(256), (byte)(x * 255 / width), (byte)(y * 255 / height));
            }
        });
        return image;
    }
}
