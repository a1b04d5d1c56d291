using System;

namespace NetGen.Generators.Emit;

/// <summary>
/// A tiled shared-memory matrix product C[m, n] = Σk A[m, k]·B[k, n], written as one ILGPU kernel. Dense and
/// Conv2D express their forward pass, input gradient and weight gradient this way (Conv2D as an implicit
/// im2col: the B operand decomposes k and n into channel, tap and position as it loads). Each group takes
/// 16 × 16 tiles of C (a grid-stride loop over tiles), loads 16 × 16 tiles of A and B into shared memory per
/// step along k, and accumulates in shared memory, so the kernel works with any group size: on a GPU each
/// thread of a 256-thread group owns one value of the tile; on the CPU accelerator a thread owns several.
/// When K grows with the batch (weight gradients), k is split into chunks of <see cref="KTilesPerSplit"/>
/// tiles taken by different groups, which add their partial sums atomically (the gradient buffer starts at 0).
/// </summary>
internal sealed class GpuGemm
{
    public const int Tile = 16;

    /// <summary>Rows of C: a literal or an expression of <c>a.Count</c>.</summary>
    public string M { get; set; } = "0";

    /// <summary>Columns of C.</summary>
    public string N { get; set; } = "0";

    /// <summary>The summed dimension.</summary>
    public string K { get; set; } = "0";

    /// <summary>Tiles of k per group's share (split-K), or 0 for all of k in one group (C written, not added).</summary>
    public int KTilesPerSplit { get; set; }

    /// <summary>Writes statements that set <c>val</c> to A[m, k] (both in range).</summary>
    public Action<CodeWriter> LoadA { get; set; } = _ => { };

    /// <summary>Writes statements that set <c>val</c> to B[k, n] (both in range).</summary>
    public Action<CodeWriter> LoadB { get; set; } = _ => { };

    /// <summary>Writes statements that store <c>acc</c> as C[m, n] (added atomically when split).</summary>
    public Action<CodeWriter> Store { get; set; } = _ => { };

    public void Emit(GpuNetwork g, string name, string summary)
    {
        CodeWriter w = g.Kernels;
        string t = CodeWriter.Int(Tile), tt = CodeWriter.Int(Tile * Tile);
        g.OpenKernel(name, summary);
        w.Line("var sa = global::ILGPU.SharedMemory.Allocate<float>(" + tt + ");");
        w.Line("var sb = global::ILGPU.SharedMemory.Allocate<float>(" + tt + ");");
        w.Line("var sc = global::ILGPU.SharedMemory.Allocate<float>(" + tt + ");");
        w.Line("int M = " + M + ", N = " + N + ", K = " + K + ";");
        w.Line("int tilesM = (M + " + CodeWriter.Int(Tile - 1) + ") / " + t + ", tilesN = (N + " + CodeWriter.Int(Tile - 1) + ") / " + t + ", kTiles = (K + " + CodeWriter.Int(Tile - 1) + ") / " + t + ";");
        w.Line(KTilesPerSplit > 0 ? "int per = " + CodeWriter.Int(KTilesPerSplit) + ";" : "int per = kTiles > 0 ? kTiles : 1;");
        w.Line("int splits = (kTiles + per - 1) / per;");
        w.Line("int jobs = tilesM * tilesN * splits;");
        w.Line("int lane = " + GpuNetwork.Group + ".IdxX, lanes = " + GpuNetwork.Group + ".DimX;");
        w.Line("// Every bound here depends on the group only, so all threads of a group reach each barrier together.");
        w.Open("for (int job = " + GpuNetwork.Grid + ".IdxX; job < jobs; job += " + GpuNetwork.Grid + ".DimX)");
        w.Line("int tm = job % tilesM;");
        w.Line("int rest = job / tilesM;");
        w.Line("int tn = rest % tilesN;");
        w.Line("int split = rest / tilesN;");
        w.Open("for (int e = lane; e < " + tt + "; e += lanes)");
        w.Line("sc[e] = 0f;");
        w.Close();
        w.Line("int kEnd = (split + 1) * per < kTiles ? (split + 1) * per : kTiles;");
        w.Open("for (int kt = split * per; kt < kEnd; kt++)");
        w.Open("for (int e = lane; e < " + tt + "; e += lanes)");
        w.Open("// A[m, k] into shared memory");
        w.Line("int m = (tm * " + t + ") + (e / " + t + ");");
        w.Line("int k = (kt * " + t + ") + (e % " + t + ");");
        w.Line("float val = 0f;");
        w.Open("if (m < M && k < K)");
        LoadA(w);
        w.Close();
        w.Line("sa[e] = val;");
        w.Close();
        w.Open("// B[k, n] into shared memory");
        w.Line("int k = (kt * " + t + ") + (e / " + t + ");");
        w.Line("int n = (tn * " + t + ") + (e % " + t + ");");
        w.Line("float val = 0f;");
        w.Open("if (k < K && n < N)");
        LoadB(w);
        w.Close();
        w.Line("sb[e] = val;");
        w.Close();
        w.Close();
        w.Line(GpuNetwork.Group + ".Barrier();");
        w.Open("for (int e = lane; e < " + tt + "; e += lanes)");
        w.Line("int row = (e / " + t + ") * " + t + ", col = e % " + t + ";");
        w.Line("float acc = sc[e];");
        w.Open("for (int q = 0; q < " + t + "; q++)");
        w.Line("acc += sa[row + q] * sb[(q * " + t + ") + col];");
        w.Close();
        w.Line("sc[e] = acc;");
        w.Close();
        w.Line(GpuNetwork.Group + ".Barrier();");
        w.Close();
        w.Open("for (int e = lane; e < " + tt + "; e += lanes)");
        w.Line("int m = (tm * " + t + ") + (e / " + t + ");");
        w.Line("int n = (tn * " + t + ") + (e % " + t + ");");
        w.Open("if (m < M && n < N)");
        w.Line("float acc = sc[e];");
        Store(w);
        w.Close();
        w.Close();
        w.Close();
        g.CloseKernel();
    }
}
