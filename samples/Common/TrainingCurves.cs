// Shared by the samples (compiled into each with <Compile Include="../Common/*.cs" />): training curves as a PNG,
// drawn with ScottPlot on SkiaSharp's dependency-free native build, so it works headless (no X, no fontconfig).
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using NetGen;
using ScottPlot;
using SkiaSharp;

namespace NetGen.Samples;

/// <summary>Draws the per-epoch figures of a training run.</summary>
internal static class TrainingCurves
{
    private const int Width = 900;
    private const int Height = 720;

    /// <summary>Matplotlib's first colours (tab10): blue, orange, green, red.</summary>
    private static readonly Color[] Palette = [Color.FromHex("#1f77b4"), Color.FromHex("#ff7f0e"), Color.FromHex("#2ca02c"), Color.FromHex("#d62728")];

    /// <summary>
    /// Writes a PNG with two stacked plots over the epochs: training and validation loss above, training and
    /// validation accuracy below (validation only for the epochs that measured it), each with a legend. The image
    /// goes to a temporary file in the same folder, renamed over <paramref name="path"/>, so a reader never sees a
    /// half-written file.
    /// </summary>
    /// <param name="path">The PNG file to create or replace.</param>
    /// <param name="epochs">The epochs, e.g. <see cref="TrainingHistory.Epochs"/>; at least one.</param>
    /// <param name="title">Shown above the plots.</param>
    public static void WritePng(string path, IReadOnlyList<EpochResult> epochs, string title) =>
        WritePng(path, [(string.Empty, epochs)], title);

    /// <summary>
    /// Like <see cref="WritePng(string, IReadOnlyList{EpochResult}, string)"/> for several runs in one picture,
    /// to compare them: one colour per run, training solid and validation dashed, the run's name in the legend.
    /// </summary>
    /// <param name="path">The PNG file to create or replace.</param>
    /// <param name="runs">Each run's name and epochs; at least one run, each with at least one epoch.</param>
    /// <param name="title">Shown above the plots.</param>
    public static void WritePng(string path, IReadOnlyList<(string Name, IReadOnlyList<EpochResult> Epochs)> runs, string title)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(title);
        if (runs.Count == 0 || runs.Any(r => r.Epochs is null || r.Epochs.Count == 0))
        {
            throw new ArgumentException("Every run needs at least one epoch to draw.", nameof(runs));
        }

        Fonts.Default = SansSerifFont(); // read by every plot created after this
        var multiplot = new Multiplot();
        multiplot.AddPlots(2);
        Plot losses = multiplot.GetPlot(0);
        Plot accuracies = multiplot.GetPlot(1);
        bool single = runs.Count == 1;
        for (int r = 0; r < runs.Count; r++)
        {
            (string name, IReadOnlyList<EpochResult> epochs) = runs[r];
            string prefix = name.Length > 0 ? name + " " : string.Empty;

            // One run: training and validation in two colours. Several: a colour per run, validation dashed.
            Color training = Palette[(single ? 0 : r) % Palette.Length];
            Color validation = Palette[(single ? 1 : r) % Palette.Length];
            LinePattern validationPattern = single ? LinePattern.Solid : LinePattern.Dashed;
            double[] x = [.. epochs.Select(e => (double)e.Epoch)];
            AddLine(losses, x, [.. epochs.Select(e => (double)e.TrainingLoss)], prefix + "training loss", training, LinePattern.Solid);
            AddLine(accuracies, x, [.. epochs.Select(e => (double)e.TrainingAccuracy)], prefix + "training accuracy", training, LinePattern.Solid);
            EpochResult[] withLoss = [.. epochs.Where(e => e.ValidationLoss.HasValue)];
            if (withLoss.Length > 0)
            {
                AddLine(losses, [.. withLoss.Select(e => (double)e.Epoch)], [.. withLoss.Select(e => (double)e.ValidationLoss!.Value)], prefix + "validation loss", validation, validationPattern);
            }

            EpochResult[] withAccuracy = [.. epochs.Where(e => e.ValidationAccuracy.HasValue)];
            if (withAccuracy.Length > 0)
            {
                AddLine(accuracies, [.. withAccuracy.Select(e => (double)e.Epoch)], [.. withAccuracy.Select(e => (double)e.ValidationAccuracy!.Value)], prefix + "validation accuracy", validation, validationPattern);
            }
        }

        losses.Title(title);
        losses.YLabel("loss");
        accuracies.YLabel("accuracy");
        accuracies.XLabel("epoch");
        losses.ShowLegend(Alignment.UpperRight);
        accuracies.ShowLegend(Alignment.LowerRight);

        // Same epoch range on both, whole epochs only; losses from 0 up, accuracies up to 1.
        IEnumerable<EpochResult> all = runs.SelectMany(r => r.Epochs);
        double first = all.Min(e => e.Epoch), last = all.Max(e => e.Epoch);
        double pad = Math.Max(0.5, (last - first) * 0.03);
        foreach (Plot plot in new[] { losses, accuracies })
        {
            plot.Axes.SetLimitsX(first - pad, last + pad);
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        }

        double maxLoss = all.Where(e => float.IsFinite(e.TrainingLoss)).Select(e => (double)Math.Max(e.TrainingLoss, e.ValidationLoss ?? 0f)).DefaultIfEmpty(1).Max();
        losses.Axes.SetLimitsY(0, maxLoss > 0 ? maxLoss * 1.08 : 1);
        double minAccuracy = all.Min(e => Math.Min(e.TrainingAccuracy, e.ValidationAccuracy ?? 1f));
        accuracies.Axes.SetLimitsY(Math.Max(0, Math.Floor((minAccuracy - 0.02) * 10) / 10), 1.005);

        using Image image = multiplot.Render(Width, Height);
        byte[] png = image.GetImageBytes(ImageFormat.Png);
        OutputFile.WriteAtomically(path, file => file.Write(png));
    }

    /// <summary>
    /// An installed sans-serif family. ScottPlot looks for fonts such as Open Sans or Segoe UI; on a bare Linux
    /// machine without them (SkiaSharp's dependency-free build scans /usr/share/fonts itself) every name falls back
    /// to the first family found, often DejaVu Serif.
    /// </summary>
    private static string SansSerifFont()
    {
        HashSet<string> installed = [.. SKFontManager.Default.FontFamilies];
        foreach (string family in (string[])["DejaVu Sans", "Liberation Sans", "Noto Sans", "Open Sans", "Arial", "Helvetica", "Segoe UI"])
        {
            if (installed.Contains(family))
            {
                return family;
            }
        }

        return Fonts.Default;
    }

    private static void AddLine(Plot plot, double[] xs, double[] ys, string label, Color color, LinePattern pattern)
    {
        var scatter = plot.Add.Scatter(xs, ys);
        scatter.LegendText = label;
        scatter.Color = color;
        scatter.LineWidth = 2;
        scatter.LinePattern = pattern;
        scatter.MarkerSize = xs.Length <= 40 ? 5 : 0;
    }
}
