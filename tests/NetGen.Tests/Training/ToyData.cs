namespace NetGen.Tests.Training;

/// <summary>Small synthetic data sets for the training tests.</summary>
internal static class ToyData
{
    /// <summary>
    /// <paramref name="classes"/> well-separated clusters in <paramref name="dimensions"/> dimensions: class c is
    /// centred at +3 on axis c (−3 elsewhere on the first <paramref name="classes"/> axes), plus uniform noise in
    /// [−1, 1) on every axis, so the classes are linearly separable with a wide margin.
    /// </summary>
    public static Dataset Clusters(int count, int classes, int dimensions, ulong seed)
    {
        var rng = new Rng(seed);
        float[] features = new float[count * dimensions];
        int[] labels = new int[count];
        for (int s = 0; s < count; s++)
        {
            int label = s % classes;
            labels[s] = label;
            for (int d = 0; d < dimensions; d++)
            {
                float centre = d < classes ? (d == label ? 3f : -3f) : 0f;
                features[(s * dimensions) + d] = centre + ((2f * rng.NextFloat()) - 1f);
            }
        }

        return new Dataset(features, labels, [dimensions], classes);
    }
}
