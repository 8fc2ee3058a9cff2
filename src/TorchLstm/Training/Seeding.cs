using TorchSharp;

namespace TorchLstm.Training;

/// <summary>One seed for every random number generator training uses.</summary>
public static class Seeding
{
    /// <summary>
    /// Seeds torch's global CPU generator and, when present, every CUDA generator, like Lightning's
    /// <c>seed_everything</c>. Call it before building a model to make its initial weights reproducible.
    /// </summary>
    /// <param name="seed">The seed.</param>
    /// <returns>The seed, for logging.</returns>
    public static long SeedEverything(long seed)
    {
        Native.NativeLoader.EnsureLoaded();
        torch.random.manual_seed(seed);
        if (torch.cuda.is_available())
            torch.cuda.manual_seed_all(seed);
        return seed;
    }

    /// <summary>
    /// A generator seeded from <paramref name="seed"/> for shuffling. It is derived (not equal) so that
    /// the shuffle order is not the same stream as the weights and dropout masks drawn from the global generator.
    /// </summary>
    /// <param name="seed">The seed.</param>
    public static torch.Generator CreateShuffleGenerator(long seed) =>
        new(unchecked((ulong)seed * 0x9E3779B97F4A7C15UL + 1UL));
}
