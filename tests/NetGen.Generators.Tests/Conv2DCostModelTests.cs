using System;
using System.Collections.Generic;
using System.Linq;
using NetGen.Generators;
using NetGen.Generators.Layers;
using NetGen.Generators.Model;
using Xunit;
using static NetGen.Generators.Layers.Conv2DCostModel;

namespace NetGen.Generators.Tests;

/// <summary>
/// Conv2D's cost model and the plan's tiling. The searches are checked by brute force: every candidate tile is
/// enumerated here, the ones that fit the registers are costed by walking the tiles the kernel would actually run
/// (filter chunks, row groups with the overlapping last one, column groups and their tail), and the chosen tile
/// must be one of the cheapest. The step cost and the column blocks are checked against their closed forms.
/// </summary>
public sealed class Conv2DCostModelTests
{
    public static TheoryData<int, int, int, int> ConvShapes => new()
    {
        // filters, output height, output width, vector width
        { 6, 28, 28, 8 }, { 6, 28, 28, 16 },
        { 16, 10, 10, 8 }, { 16, 10, 10, 16 },
        { 1, 5, 5, 8 }, { 3, 7, 9, 16 },
        { 64, 8, 8, 16 }, { 32, 32, 32, 8 }, { 5, 3, 40, 16 },
    };

    /// <summary>Registers: 16 ymm for Vector256, 32 zmm for Vector512.</summary>
    private static int RegisterCount(int width) => width == 16 ? 32 : 16;

    [Theory]
    [InlineData(16, 8.0, 1, 17.0)] // FMA-bound: 16 FMAs on two ports, one loop slot.
    [InlineData(2, 3.0, 1, 9.0)] // latency-bound: fewer than 8 independent accumulators wait on the 4-cycle FMA.
    [InlineData(4, 20.0, 1, 21.0)] // load-bound.
    [InlineData(12, 3.0, 2, 17.0)] // two FMAs a step into each accumulator: a chain of 16 cycles.
    public void Step_is_the_slowest_of_ports_and_latency_plus_the_loop(int fmas, double loads, int chain, double expected) =>
        Assert.Equal(expected, Step(fmas, loads, chain));

    [Theory]
    [InlineData(28, 8)]
    [InlineData(28, 16)]
    [InlineData(8, 8)]
    [InlineData(5, 16)]
    [InlineData(33, 16)]
    public void Column_blocks_cover_the_row_exactly_once_with_the_last_overlapping(int n, int width)
    {
        int[] blocks = Blocks(n, width);
        var covered = new bool[Math.Max(n, width)];
        foreach (int b in blocks)
        {
            Assert.InRange(b, 0, Math.Max(n - width, 0));
            for (int j = b; j < b + width; j++)
            {
                covered[j] = true;
            }
        }

        Assert.All(covered.Take(n), Assert.True);
        Assert.Equal((n + width - 1) / width, blocks.Length);
        Assert.Equal(n < width ? 0 : n / width, RegularBlocks(n, width));
    }

    [Theory]
    [MemberData(nameof(ConvShapes))]
    public void The_convolution_tile_fits_the_registers_and_no_candidate_is_cheaper(int filters, int outH, int outW, int width)
    {
        ConvTileShape chosen = PickConvTile(filters, outH, outW, width);
        Assert.True(FitsRegisters(chosen.Filters, chosen.Rows * chosen.Cols, width), $"{chosen.Filters}×{chosen.Rows}×{chosen.Cols} does not fit");

        int blocks = (outW + width - 1) / width;
        double best = double.MaxValue;
        for (int f = 1; f <= filters; f++)
        {
            for (int rows = 1; rows <= outH; rows++)
            {
                for (int cols = 1; cols <= blocks; cols++)
                {
                    if (FitsRegisters(f, rows * cols, width))
                    {
                        best = Math.Min(best, WalkConvTiles(filters, outH, outW, width, f, rows, cols));
                    }
                }
            }
        }

        Assert.Equal(best, WalkConvTiles(filters, outH, outW, width, chosen.Filters, chosen.Rows, chosen.Cols), 9);
    }

    [Theory]
    [InlineData(6, 5, 8)]
    [InlineData(16, 3, 16)]
    [InlineData(120, 5, 8)]
    [InlineData(3, 7, 16)]
    public void The_weight_gradient_tile_fits_and_no_candidate_is_cheaper(int rows, int cols, int width)
    {
        Tile chosen = PickTile(rows, cols, width);
        Assert.True(FitsRegisters(chosen.Rows, chosen.Cols, width));
        double best = double.MaxValue;
        for (int r = 1; r <= rows; r++)
        {
            for (int c = 1; c <= cols; c++)
            {
                if (FitsRegisters(r, c, width))
                {
                    best = Math.Min(best, WalkTiles(rows, cols, width, r, c));
                }
            }
        }

        Assert.Equal(best, WalkTiles(rows, cols, width, chosen.Rows, chosen.Cols), 9);
    }

    /// <summary>The dw strategy follows the shapes the remarks describe: filters in lanes for narrow rows and many filters, columns in lanes for wide rows and few.</summary>
    [Fact]
    public void Filters_go_in_lanes_for_narrow_rows_and_many_filters_only()
    {
        Assert.True(WeightGradientByFilters(Shape.Spatial(32, 6, 6), Shape.Spatial(64, 4, 4), 3, 16));
        Assert.False(WeightGradientByFilters(Shape.Spatial(1, 32, 32), Shape.Spatial(4, 30, 30), 3, 16));
        Assert.False(WeightGradientByFilters(Shape.Spatial(1, 32, 32), Shape.Spatial(4, 30, 30), 3, 8));
    }

    /// <summary>The plan, not the emitter, holds the tiles: a planned Conv2D carries exactly what the cost model picks for its shapes.</summary>
    [Fact]
    public void The_plan_carries_each_widths_tiles_and_the_scratch_layout()
    {
        var conv = new Conv2DOptions(6, 5, 1, 2, true);
        var model = new NetworkModel(
            "Models",
            "Net",
            "Models.Net",
            new EquatableArray<int>(new[] { 1, 28, 28 }),
            null,
            new EquatableArray<LayerSpec>(new[] { new LayerSpec(LayerKind.Named("Conv2D"), null, null, conv) }),
            null,
            true);
        var diagnostics = new List<DiagnosticInfo>();
        NetworkPlan plan = ShapeInference.Plan(model, diagnostics)!;
        Assert.Empty(diagnostics);

        Conv2DTiling tiling = Assert.IsType<Conv2DOptions>(plan.Layers[0].Options).Tiling!;
        Shape input = Shape.Spatial(1, 28, 28), output = Shape.Spatial(6, 28, 28);
        foreach (int width in new[] { 8, 16 })
        {
            Conv2DWidthTiling tiles = tiling.For(width);
            Assert.Equal(PickConvTile(6, 28, 28, width), tiles.Forward);
            Assert.Equal(PickConvTile(1, 28, 28, width), tiles.InputGradient);
            Assert.Equal(PickTile(6, 5, width), tiles.WeightGradient);
            Assert.Equal(WeightGradientByFilters(input, output, 5, width), tiles.ByFilters);
        }

        Assert.Equal(tiling.Scratch.Total, plan.Layers[0].ScratchSize);
        // The padded copy: 1 × 32 × 32 plus 16 floats of slack, rounded to 16.
        Assert.Equal(1040, tiling.Scratch.Padded);
    }

    /// <summary>The register budget as the remarks state it: accumulators, the operands of the smaller side, one broadcast and one spare.</summary>
    private static bool FitsRegisters(int a, int b, int width) => (a * b) + Math.Min(a, b) + 2 <= RegisterCount(width);

    /// <summary>Sums the step cost of every tile a direct convolution runs: filter chunks × row groups × column groups (regular groups, then the tail).</summary>
    private static double WalkConvTiles(int filters, int outH, int outW, int width, int f, int rows, int cols)
    {
        int blocks = (outW + width - 1) / width, regular = outW < width ? 0 : outW / width;
        var columnGroups = new List<int>();
        int done = 0;
        while (done + cols <= regular)
        {
            columnGroups.Add(cols);
            done += cols;
        }

        if (done < blocks)
        {
            columnGroups.Add(blocks - done);
        }

        double total = 0;
        for (int row = 0; row < outH; row += rows)
        {
            for (int f0 = 0; f0 < filters; f0 += f)
            {
                int fn = Math.Min(f, filters - f0);
                foreach (int group in columnGroups)
                {
                    total += Step(fn * rows * group, fn + (rows * group * (width == 16 ? 2 : 1.5)));
                }
            }
        }

        return total;
    }

    /// <summary>Sums the step cost of every tile of a rows × cols loop, each step loading its rows and cols vectors.</summary>
    private static double WalkTiles(int rows, int cols, int width, int r, int c)
    {
        double total = 0;
        for (int r0 = 0; r0 < rows; r0 += r)
        {
            for (int c0 = 0; c0 < cols; c0 += c)
            {
                int rn = Math.Min(r, rows - r0), cn = Math.Min(c, cols - c0);
                total += Step(rn * cn, (rn + cn) * (width == 16 ? 2 : 1.5));
            }
        }

        return total;
    }
}
