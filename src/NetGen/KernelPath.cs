using System.Runtime.Intrinsics;

namespace NetGen;

/// <summary>Which of the generated kernel variants a network runs.</summary>
public enum KernelPath
{
    /// <summary>The widest vector path this CPU accelerates: Vector512, else Vector256, else scalar.</summary>
    Auto,

    /// <summary>The plain scalar loops, kept as the reference (oracle) path.</summary>
    Scalar,

    /// <summary>Register-tiled kernels on <see cref="Vector256{T}"/> (AVX2 + FMA on x86).</summary>
    Vector256,

    /// <summary>Register-tiled kernels on <see cref="Vector512{T}"/> (AVX-512); runs in software where not accelerated.</summary>
    Vector512,
}

/// <summary>Resolves <see cref="KernelPath.Auto"/> to the widest path this CPU accelerates.</summary>
public static class Kernels
{
    private static readonly KernelPath s_auto =
        System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? KernelPath.Vector512
        : System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated ? KernelPath.Vector256
        : KernelPath.Scalar;

    /// <summary>The path <see cref="KernelPath.Auto"/> takes on this machine.</summary>
    public static KernelPath Auto => s_auto;

    /// <summary>
    /// The path the generated dispatch runs for <paramref name="path"/>: <see cref="KernelPath.Auto"/> is replaced by
    /// <see cref="Auto"/>, and a value that is no <see cref="KernelPath"/> member runs (and resolves to) the scalar
    /// path. Forcing <see cref="KernelPath.Vector512"/> on a CPU without AVX-512 is correct but slow (emulated in
    /// software).
    /// </summary>
    public static KernelPath Resolve(KernelPath path) => path switch
    {
        KernelPath.Auto => s_auto,
        KernelPath.Vector256 => KernelPath.Vector256,
        KernelPath.Vector512 => KernelPath.Vector512,
        _ => KernelPath.Scalar,
    };
}
