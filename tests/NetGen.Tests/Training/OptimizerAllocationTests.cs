using System;
using Xunit;

namespace NetGen.Tests.Training;

public class OptimizerAllocationTests
{
    public static TheoryData<string> Kinds => OptimizerKinds.All;

    [Theory]
    [MemberData(nameof(Kinds))]
    public void StepsAfterTheFirst_AllocateNothing(string kind)
    {
        IOptimizer optimizer = OptimizerKinds.Create(kind);
        float[] theta = OptimizerKinds.Random(1003, 1);
        float[] g = OptimizerKinds.Random(1003, 2);
        ParameterGroup[] groups = [new(500, 503, 0.5f), new(0, 400)];
        for (int i = 0; i < 20; i++)
        {
            optimizer.Step(theta, g);
            optimizer.Step(theta, g, groups);
            GradientClipping.ClipByGlobalNorm(g, 1f, groups);
        }

        // The best of a few attempts, in case the JIT or the test host allocates on this thread meanwhile.
        long best = long.MaxValue;
        for (int attempt = 0; attempt < 5 && best > 0; attempt++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 20; i++)
            {
                optimizer.Step(theta, g);
                optimizer.Step(theta, g, groups);
                GradientClipping.ClipByGlobalNorm(g, 1f);
            }

            best = Math.Min(best, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, best);
    }
}
