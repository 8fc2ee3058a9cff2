using System.Buffers.Binary;
using SkiaSharp;

namespace TorchLstm.Tests.Reporting;

/// <summary>Checks on written PNG files: signature, IHDR size, and that the picture actually shows something.</summary>
internal static class PngAssert
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    public static void IsPng(string path, int width, int height)
    {
        byte[] bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 33, $"{path} is only {bytes.Length} bytes");
        Assert.Equal(Signature, bytes[..8]);
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
        Assert.Equal(width, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16, 4)));
        Assert.Equal(height, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20, 4)));
    }

    /// <summary>Decodes the image and returns every pixel; fails if the image is (nearly) one colour.</summary>
    public static SKColor[] IsNotBlank(string path)
    {
        using var bitmap = SKBitmap.Decode(path);
        Assert.NotNull(bitmap);
        var pixels = bitmap.Pixels;
        int distinct = pixels.Distinct().Count();
        Assert.True(distinct > 20, $"{path} has only {distinct} distinct colours");
        int background = pixels.GroupBy(p => p).Max(g => g.Count());
        Assert.True(background < pixels.Length * 0.98, $"{path} is {100.0 * background / pixels.Length:F1}% one colour");
        return pixels;
    }

    public static int CountPixels(SKColor[] pixels, Func<SKColor, bool> predicate) => pixels.Count(predicate);
}
