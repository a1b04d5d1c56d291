// Shared by the samples (compiled into each with <Compile Include="../Common/*.cs" />): a live Spectre.Console
// progress bar for Trainer.Fit on an interactive terminal, and nothing at all when the output is piped.
using System;
using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace NetGen.Samples;

/// <summary>
/// Runs a training function under a live progress bar fed by the <see cref="IProgress{T}"/> it hands out (pass
/// it as <see cref="TrainingOptions.Progress"/>). On a terminal the bar shows the epoch, the batches done over all
/// epochs, the running loss and accuracy, images per second and the trainer's estimate of the time left; print
/// lines meanwhile with <see cref="WriteLine"/> and they appear above the bar. When the output is redirected or the
/// console is not interactive, nothing extra is shown: the function gets a null progress and
/// <see cref="WriteLine"/> is <see cref="Console.WriteLine(string)"/>, so piped output stays plain lines.
/// </summary>
internal static class ProgressBar
{
    /// <summary>How often the bar's text (loss, accuracy, rate, ETA) is re-formatted; the bar itself moves every batch.</summary>
    private static readonly long DescriptionInterval = Stopwatch.Frequency / 10;

    /// <summary>True when a live display can be drawn: standard output is an interactive terminal.</summary>
    public static bool IsInteractive => !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>
    /// Runs <paramref name="train"/> (on the calling thread) with a progress bar labelled <paramref name="label"/>;
    /// the bar is cleared when it returns, so what stays on screen is what <see cref="WriteLine"/> printed.
    /// </summary>
    /// <typeparam name="T">What the function returns, e.g. the <see cref="TrainingHistory"/> of <c>Fit</c>.</typeparam>
    /// <param name="label">Names the run, e.g. "fine-tune"; shown before "epoch e/E".</param>
    /// <param name="train">The training; it receives the progress sink to put in <see cref="TrainingOptions.Progress"/>, or null when nothing is shown.</param>
    /// <returns>What <paramref name="train"/> returned.</returns>
    public static T Run<T>(string label, Func<IProgress<TrainingProgress>?, T> train)
    {
        ArgumentNullException.ThrowIfNull(label);
        ArgumentNullException.ThrowIfNull(train);
        if (!IsInteractive)
        {
            return train(null);
        }

        // Progress.Start runs the callback on this thread and redraws from a background thread; Fit stays on
        // this one thread, as a trainer requires. Output written through AnsiConsole meanwhile goes above the bar.
        return AnsiConsole.Progress()
            .AutoClear(true)
            .HideCompleted(false)
            .Columns(
                new TaskDescriptionColumn { Alignment = Justify.Left },
                new ProgressBarColumn(),
                new PercentageColumn(),
                new ElapsedTimeColumn())
            .Start(context =>
            {
                ProgressTask task = context.AddTask(Markup.Escape($"{label} starting"), autoStart: true, maxValue: 1);
                T result = train(new Reporter(task, label));
                task.Value = task.MaxValue;
                task.StopTask();
                return result;
            });
    }

    /// <summary>
    /// Prints a line: above the live bar while one is shown (through Spectre's console, which redraws the bar
    /// below it), otherwise with <see cref="Console.WriteLine(string)"/>. The text is printed as is, not as markup.
    /// </summary>
    /// <param name="line">The line, without its line break.</param>
    public static void WriteLine(string line)
    {
        if (IsInteractive)
        {
            AnsiConsole.WriteLine(line);
        }
        else
        {
            Console.WriteLine(line);
        }
    }

    /// <summary>Turns the trainer's reports into the task's value (batches over all epochs) and description.</summary>
    private sealed class Reporter(ProgressTask task, string label) : IProgress<TrainingProgress>
    {
        private long _lastDescription;

        public void Report(TrainingProgress value)
        {
            double total = Math.Max(1.0, (double)value.Epochs * value.Batches);
            if (task.MaxValue != total)
            {
                task.MaxValue = total;
            }

            task.Value = ((double)(value.Epoch - 1) * value.Batches) + value.Batch;
            long now = Stopwatch.GetTimestamp();
            if (_lastDescription == 0 || value.EpochResult is not null || value.Batch == value.Batches || now - _lastDescription >= DescriptionInterval)
            {
                _lastDescription = now;
                task.Description = Markup.Escape(Describe(value));
            }
        }

        private string Describe(TrainingProgress p)
        {
            TimeSpan eta = p.Remaining;
            string etaText = eta.TotalHours >= 1
                ? eta.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture)
                : eta.ToString(@"m\:ss", CultureInfo.InvariantCulture);
            return string.Create(CultureInfo.InvariantCulture,
                $"{label} epoch {p.Epoch}/{p.Epochs}  loss {p.Loss:F4}  acc {p.Accuracy:F4}  {p.ImagesPerSecond:N0} img/s  ETA {etaText}");
        }
    }
}
