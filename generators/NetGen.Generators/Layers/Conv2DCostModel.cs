using System;
using System.Linq;
using NetGen.Generators.Model;

namespace NetGen.Generators.Layers;

/// <summary>
/// Conv2D's cost model: the register tiles of its vector kernels, chosen by estimated issue slots (two FMA and two
/// load ports, four cycles of FMA latency, 16 ymm or 32 zmm registers), and the choice between the two ways of
/// forming dw. Pure functions of shapes and the vector width; <see cref="Conv2DTiling"/> records what they choose,
/// once, in the plan.
/// </summary>
internal static class Conv2DCostModel
{
    /// <summary>A register tile: Rows (broadcast or loaded once per step) × Cols (vectors) accumulators.</summary>
    internal readonly struct Tile
    {
        public Tile(int rows, int cols)
        {
            Rows = rows;
            Cols = cols;
        }

        public int Rows { get; }

        public int Cols { get; }
    }

    /// <summary>Vector registers: 16 ymm with AVX2, 32 zmm with AVX-512.</summary>
    internal static int Registers(int width) => width == 16 ? 32 : 16;

    /// <summary>
    /// Whether an a × b tile fits the registers: a·b accumulators, the min(a, b) operands of one side kept live
    /// (the other side is loaded one vector at a time), and one spare.
    /// </summary>
    internal static bool Fits(int a, int b, int width) => (a * b) + Math.Min(a, b) + 2 <= Registers(width);

    /// <summary>Load slots of an unaligned vector load: wide loads mostly split cache lines.</summary>
    internal static double VectorLoad(int width) => width == 16 ? 2 : 1.5;

    /// <summary>
    /// Issue slots of one step of a tile doing <paramref name="fmas"/> FMAs after <paramref name="loads"/> load
    /// slots: two FMA and two load ports, and 4 cycles of FMA latency for each of the <paramref name="chain"/>
    /// FMAs a step adds to the same accumulator (fewer than 8 independent accumulators stall), plus one for the loop.
    /// </summary>
    internal static double Step(int fmas, double loads, int chain = 1) => Math.Max(Math.Max(fmas, loads), 8 * chain) + 1;

    /// <summary>
    /// The tile with the least estimated time for a loop whose every step loads rows + cols vectors (unaligned)
    /// and issues rows × cols FMAs; remainder tiles count at their own size.
    /// </summary>
    internal static Tile PickTile(int rows, int cols, int width)
    {
        var best = new Tile(1, 1);
        double bestCost = double.MaxValue;
        for (int c = Math.Min(cols, Registers(width)); c >= 1; c--)
        {
            for (int r = Math.Min(rows, Registers(width)); r >= 1; r--)
            {
                if (!Fits(r, c, width))
                {
                    continue;
                }

                int cc = c;
                double cost = Chunks(rows, r, rt => Chunks(cols, cc, ct => Step(rt * ct, (rt + ct) * VectorLoad(width))));
                if (cost < bestCost)
                {
                    best = new Tile(r, c);
                    bestCost = cost;
                }
            }
        }

        return best;
    }

    /// <summary>Start columns of the vectors that cover a row of <paramref name="n"/> outputs: the last one overlaps the one before it.</summary>
    internal static int[] Blocks(int n, int width)
    {
        if (n <= width)
        {
            return new[] { 0 };
        }

        int count = (n + width - 1) / width;
        return Enumerable.Range(0, count).Select(b => Math.Min(b * width, n - width)).ToArray();
    }

    /// <summary>How many leading blocks start at multiples of the width and are full (a loop can run them).</summary>
    internal static int RegularBlocks(int n, int width) => n < width ? 0 : Blocks(n, width).Select((b, i) => b == i * width).TakeWhile(r => r).Count();

    /// <summary>The register tile of a direct convolution: Filters output channels × Rows output rows × Cols column vectors.</summary>
    internal readonly struct ConvTileShape
    {
        public ConvTileShape(int filters, int rows, int cols)
        {
            Filters = filters;
            Rows = rows;
            Cols = cols;
        }

        public int Filters { get; }

        public int Rows { get; }

        public int Cols { get; }
    }

    /// <summary>
    /// The tile with the least estimated time (see <see cref="PickTile"/> for the cost of a step): every step
    /// broadcasts Filters weights and loads Rows × Cols input vectors. Row groups that do not divide the output
    /// height overlap the group before (rows computed twice count twice); column groups are the loop's groups of
    /// Cols vectors plus one tail group.
    /// </summary>
    internal static ConvTileShape PickConvTile(int outChannels, int outH, int outW, int width)
    {
        double Cost(int f, int vectors) => Step(f * vectors, f + (vectors * VectorLoad(width)));

        int blocks = Blocks(outW, width).Length, regular = RegularBlocks(outW, width);
        var best = new ConvTileShape(1, 1, 1);
        double bestCost = double.MaxValue;
        for (int cols = Math.Min(blocks, Registers(width)); cols >= 1; cols--)
        {
            int groups = regular / cols, tail = blocks - (groups * cols);
            for (int rows = Math.Min(outH, Registers(width) / cols); rows >= 1; rows--)
            {
                int rowGroups = (outH + rows - 1) / rows;
                for (int f = Math.Min(outChannels, Registers(width)); f >= 1; f--)
                {
                    if (!Fits(f, rows * cols, width))
                    {
                        continue;
                    }

                    int full = outChannels / f, rem = outChannels % f;
                    double perRowGroup = (full * ((groups * Cost(f, rows * cols)) + (tail > 0 ? Cost(f, rows * tail) : 0)))
                        + (rem > 0 ? (groups * Cost(rem, rows * cols)) + (tail > 0 ? Cost(rem, rows * tail) : 0) : 0);
                    double cost = rowGroups * perRowGroup;
                    if (cost < bestCost)
                    {
                        best = new ConvTileShape(f, rows, cols);
                        bestCost = cost;
                    }
                }
            }
        }

        return best;
    }

    /// <summary>The tile of dw with filters in lanes: KyRows × KxCols taps × filter vectors, over Positions output columns a step.</summary>
    internal readonly struct FilterTile
    {
        public FilterTile(int kyRows, int kxCols, int positions)
        {
            KyRows = kyRows;
            KxCols = kxCols;
            Positions = positions;
        }

        public int KyRows { get; }

        public int KxCols { get; }

        public int Positions { get; }
    }

    internal static int RoundUp(int n, int width) => (n + width - 1) / width * width;

    /// <summary>Sum of <paramref name="cost"/> over the chunks of <paramref name="n"/> by <paramref name="t"/> (the last one smaller).</summary>
    internal static double Chunks(int n, int t, Func<int, double> cost) => ((n / t) * cost(t)) + (n % t > 0 ? cost(n % t) : 0);

    /// <summary>Issue slots of dw with output columns in lanes: the tile steps, and one horizontal sum (about 10 slots, 14 for a Vector512) per dw element.</summary>
    internal static double ColumnLanesCost(WeightGradientShape wg, Tile tile, int width)
    {
        int blocks = Blocks(wg.OutW, width).Length;
        double steps = Chunks(wg.Filters, tile.Rows, r => Chunks(wg.K, tile.Cols, c => Step(r * c, (r + c) * VectorLoad(width))));
        return (steps * wg.Channels * wg.K * wg.OutH * blocks) + ((double)wg.Filters * wg.Channels * wg.K * wg.K * (width == 16 ? 14 : 10));
    }

    /// <summary>Issue slots of dw with filters in lanes: the tile steps, transposing g, and adding the transposed dw (two slots an element each).</summary>
    internal static double FilterLanesCost(WeightGradientShape wg, FilterTile tile, int width)
    {
        int vectors = RoundUp(wg.Filters, width) / width;
        double steps = Chunks(wg.K, tile.KyRows, ky => Chunks(wg.K, tile.KxCols, kx => Chunks(wg.OutW, tile.Positions, p =>
            Step((int)(ky * kx * vectors * p), (p * vectors) + (ky * (p + kx - 1)), p))));
        return (steps * wg.Channels * wg.OutH) + (2.0 * wg.Filters * wg.OutH * wg.OutW) + (2.0 * wg.Filters * wg.Channels * wg.K * wg.K);
    }

    /// <summary>Whether dw with filters in lanes is estimated cheaper than with output columns in lanes (shapes and width only).</summary>
    internal static bool WeightGradientByFilters(Shape input, Shape output, int k, int width)
    {
        var wg = new WeightGradientShape(output.C, input.C, k, output.H, output.W);
        return WeightGradientByFilters(wg, PickTile(output.C, k, width), PickFilterTile(wg, width), width);
    }

    /// <summary>The same choice from the two strategies' tiles, when they are picked already.</summary>
    internal static bool WeightGradientByFilters(WeightGradientShape wg, Tile columns, FilterTile filters, int width) =>
        FilterLanesCost(wg, filters, width) < ColumnLanesCost(wg, columns, width);

    /// <summary>The filter-lane tile with the least cost that fits the registers (accumulators, the g vectors of a step, one broadcast, one spare).</summary>
    internal static FilterTile PickFilterTile(WeightGradientShape wg, int width)
    {
        int vectors = RoundUp(wg.Filters, width) / width;
        var best = new FilterTile(1, 1, 1);
        double bestCost = double.MaxValue;
        for (int ky = Math.Min(wg.K, Registers(width)); ky >= 1; ky--)
        {
            for (int kx = Math.Min(wg.K, Registers(width) / ky); kx >= 1; kx--)
            {
                for (int p = Math.Min(wg.OutW, Registers(width)); p >= 1; p--)
                {
                    if ((ky * kx * vectors) + (p * vectors) + 2 > Registers(width))
                    {
                        continue;
                    }

                    var tile = new FilterTile(ky, kx, p);
                    double cost = FilterLanesCost(wg, tile, width);
                    if (cost < bestCost)
                    {
                        best = tile;
                        bestCost = cost;
                    }
                }
            }
        }

        return best;
    }

    /// <summary>The shape of a dw computation: filters, input channels, kernel and output plane.</summary>
    internal readonly record struct WeightGradientShape(int Filters, int Channels, int K, int OutH, int OutW);
}

/// <summary>
/// The layer's private scratch: [padded copy of x | g], each region followed by <see cref="Conv2DLayer.Slack"/> floats
/// and rounded to 16. The padded copy exists for stride 1 when the layer pads or its rows are narrower than
/// a Vector512 (so vector loads never leave memory the kernel owns); g is sized for the larger of dy ⊙ act′(y)
/// and g zero-padded by K − 1 − padding (for dx). Planned for the widest vector so both paths share it.
/// </summary>
internal readonly struct Conv2DScratch
{
    private Conv2DScratch(int padded, int gradient, int transposed, int weights)
    {
        Padded = padded;
        Gradient = gradient;
        Transposed = transposed;
        Weights = weights;
    }

    /// <summary>Floats of the padded-input region, which starts the scratch (0 when none).</summary>
    public int Padded { get; }

    /// <summary>Floats of the gradient region (g, or g zero-padded for dx), which follows.</summary>
    public int Gradient { get; }

    /// <summary>Floats of gᵀ, [OH·OW positions][filters rounded up to a Vector512], for dw with filters in lanes (0 when no width uses it).</summary>
    public int Transposed { get; }

    /// <summary>Floats of one input channel's dw with filters in lanes, [K·K][filters rounded up].</summary>
    public int Weights { get; }

    public int GradientOffset => Padded;

    public int TransposedOffset => Padded + Gradient;

    public int WeightsOffset => Padded + Gradient + Transposed;

    public int Total => Padded + Gradient + Transposed + Weights;

    public static Conv2DScratch Of(Shape input, Shape output, Conv2DOptions options) => Of(input, output, options.Kernel, options.Stride, options.Padding);

    public static Conv2DScratch Of(Shape input, Shape output, int k, int stride, int padding)
    {
        if (stride != 1 || input.IsFlat || k <= 0 || padding < 0)
        {
            return default;
        }

        long padded = padding > 0 || output.W < Conv2DLayer.MaxWidth
            ? Round((long)input.C * (input.H + (2L * padding)) * (input.W + (2L * padding)) + Conv2DLayer.Slack)
            : 0;
        long q = Math.Max(k - 1 - padding, 0);
        long gradient = Round(((long)output.C * Math.Max((long)output.H * output.W, (output.H + (2 * q)) * (output.W + (2 * q)))) + Conv2DLayer.Slack);
        // gᵀ and the transposed dw exist only where some vector width computes dw with filters in lanes.
        bool byFilters = (long)output.C * input.C * k * k <= Conv2DLayer.MaxScratch
            && (Conv2DCostModel.WeightGradientByFilters(input, output, k, 8) || Conv2DCostModel.WeightGradientByFilters(input, output, k, 16));
        long lanes = Round(output.C);
        long transposed = byFilters ? Round(((long)output.H * output.W * lanes) + Conv2DLayer.Slack) : 0;
        long weights = byFilters ? Round((long)k * k * lanes) : 0;
        return padded + gradient + transposed + weights > Conv2DLayer.MaxScratch
            ? default
            : new Conv2DScratch((int)padded, (int)gradient, (int)transposed, (int)weights);
    }

    private static long Round(long n) => (n + 15) / 16 * 16;
}

/// <summary>
/// What the plan decides for a Conv2D layer (<see cref="Conv2DLayer.Decide"/>): its scratch layout, shared by both
/// vector widths, and each width's tiles; the emitters read it and choose nothing.
/// </summary>
internal sealed record Conv2DTiling(Conv2DScratch Scratch, Conv2DWidthTiling V256, Conv2DWidthTiling V512)
{
    /// <summary>The tiles of the kernels on vectors of <paramref name="width"/> floats (8 or 16).</summary>
    public Conv2DWidthTiling For(int width) => width == 16 ? V512 : V256;

    public static Conv2DTiling Of(Shape input, Shape output, Conv2DOptions options)
    {
        Conv2DScratch scratch = Conv2DScratch.Of(input, output, options);
        Conv2DWidthTiling Width(int width) => Conv2DWidthTiling.Of(input, output, options.Kernel, width) with
        {
            Flat = FlatRows.Forward(input, output, options, scratch, width),
            FlatInputGradient = FlatRows.InputGradient(input, output, options, scratch, width),
        };
        return new(scratch, Width(8), Width(16));
    }
}

/// <summary>
/// A direct convolution over flattened rows, for output rows narrower than a vector (the forward, or dx as the
/// convolution of padded g): the outputs are computed at positions q = oy·Row + ox of the (padded or phase) input's
/// row stride, where tap (ky, kx) reads input float q + ky·Row + kx (or its phase plane's), so vectors run on across
/// row ends; the Row − OW columns between rows are computed and dropped. The output goes to a scratch buffer
/// [channels][Positions] at <see cref="TempOffset"/>, then row by row into y (or dx). Used when it takes at most three
/// quarters of the vectors of one a row (7×7 outputs on Vector512: 4 vectors instead of 7).
/// </summary>
internal readonly struct FlatRows
{
    private FlatRows(int row, int positions, int tempOffset, Conv2DCostModel.ConvTileShape tile)
    {
        Row = row;
        Positions = positions;
        TempOffset = tempOffset;
        Tile = tile;
    }

    /// <summary>The input's row stride, which the flattened positions share.</summary>
    public int Row { get; }

    /// <summary>Flattened positions of one output channel: (OH − 1)·Row + OW.</summary>
    public int Positions { get; }

    /// <summary>Where in the layer's scratch the flattened outputs go.</summary>
    public int TempOffset { get; }

    /// <summary>The register tile over one row of <see cref="Positions"/> columns.</summary>
    public Conv2DCostModel.ConvTileShape Tile { get; }

    /// <summary>Whether the forward runs flattened (else row by row).</summary>
    public bool IsUsed => Tile.Filters > 0;

    /// <summary>Floats of the flattened outputs and their slack.</summary>
    public int TempFloats(int channels) => (channels * Positions) + Conv2DLayer.Slack;

    /// <summary>The forward's: into the gradient region (stride 1), which the forward does not use, or after the phase planes.</summary>
    public static FlatRows Forward(Shape input, Shape output, Conv2DOptions options, Conv2DScratch scratch, int width)
    {
        int k = options.Kernel, s = options.Stride;
        if (input.IsFlat || k <= 0 || s <= 0 || options.Padding < 0 || (s == 1 && scratch.Total == 0))
        {
            return default;
        }

        int row = s == 1 ? input.W + (2 * options.Padding) : output.W + ((k - 1) / s);
        long offset = s == 1 ? scratch.GradientOffset : Round(Conv2DLayer.PhaseSplitScratch(input, output, k, s));
        long room = s == 1 ? scratch.Gradient : Conv2DLayer.StridedScratch(input, output, options) - offset;
        return Of(output.C, output.H, output.W, row, offset, room, width);
    }

    /// <summary>dx's (stride 1): g padded by K − 1 − padding is read at its row stride; dx goes into the padded-input region, free once dw is done.</summary>
    public static FlatRows InputGradient(Shape input, Shape output, Conv2DOptions options, Conv2DScratch scratch, int width)
    {
        int k = options.Kernel, p = options.Padding;
        if (input.IsFlat || k <= 0 || options.Stride != 1 || p < 0 || p > k - 1 || scratch.Total == 0)
        {
            return default;
        }

        return Of(input.C, input.H, input.W, output.W + (2 * (k - 1 - p)), 0, scratch.Padded, width);
    }

    private static FlatRows Of(int channels, int outH, int outW, int row, long offset, long room, int width)
    {
        if (outW >= width || outH < 2)
        {
            return default;
        }

        long positions = ((long)(outH - 1) * row) + outW;
        if (4 * ((positions + width - 1) / width) > 3 * outH)
        {
            return default; // more than three quarters of the vectors of one a row: the copy out would eat the gain
        }

        if ((channels * positions) + Conv2DLayer.Slack > room)
        {
            return default;
        }

        return new FlatRows(row, (int)positions, (int)offset, Conv2DCostModel.PickConvTile(channels, 1, (int)positions, width));
    }

    private static long Round(long n) => (n + 15) / 16 * 16;
}

/// <summary>One vector width's tiles: the forward's and dx's direct convolutions, and dw's two strategies and the choice between them.</summary>
internal sealed record Conv2DWidthTiling(
    Conv2DCostModel.ConvTileShape Forward,
    Conv2DCostModel.ConvTileShape InputGradient,
    Conv2DCostModel.Tile WeightGradient,
    Conv2DCostModel.FilterTile WeightGradientByFilters,
    bool ByFilters)
{
    /// <summary>The forward over flattened rows, where it pays (<see cref="FlatRows"/>).</summary>
    public FlatRows Flat { get; init; }

    /// <summary>dx over flattened rows, where it pays.</summary>
    public FlatRows FlatInputGradient { get; init; }

    public static Conv2DWidthTiling Of(Shape input, Shape output, int k, int width)
    {
        if (input.IsFlat || k <= 0)
        {
            return new(default, default, default, default, false);
        }

        var wg = new Conv2DCostModel.WeightGradientShape(output.C, input.C, k, output.H, output.W);
        Conv2DCostModel.Tile columns = Conv2DCostModel.PickTile(output.C, k, width);
        Conv2DCostModel.FilterTile filters = Conv2DCostModel.PickFilterTile(wg, width);
        return new(
            Conv2DCostModel.PickConvTile(output.C, output.H, output.W, width),
            Conv2DCostModel.PickConvTile(input.C, input.H, input.W, width),
            columns,
            filters,
            Conv2DCostModel.WeightGradientByFilters(wg, columns, filters, width));
    }
}
