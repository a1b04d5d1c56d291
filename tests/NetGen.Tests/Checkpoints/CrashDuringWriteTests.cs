using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using NetGen.CheckpointWriter;
using Xunit;

namespace NetGen.Tests.Checkpoints;

/// <summary>
/// A process killed (SIGKILL) while it writes checkpoints leaves a complete old or new checkpoint, never a torn
/// one, and at most one orphaned temporary file beside it (each write first removes older orphans).
/// </summary>
public class CrashDuringWriteTests
{
    private const int Kills = 40;

    /// <summary>The writer's build beside this test's (same configuration), found from the repository root.</summary>
    private static string WriterDll()
    {
        var here = new DirectoryInfo(AppContext.BaseDirectory);
        string configuration = here.Parent!.Name; // bin/<Configuration>/net10.0
        DirectoryInfo? root = here;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "NetGen.sln")))
        {
            root = root.Parent;
        }

        Assert.NotNull(root);
        string dll = Path.Combine(root.FullName, "tests", "NetGen.CheckpointWriter", "bin", configuration, "net10.0", "NetGen.CheckpointWriter.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing; NetGen.Tests references the project, so building the tests builds it.");
        return dll;
    }

    [Fact]
    public async System.Threading.Tasks.Task A_writer_killed_at_random_moments_leaves_a_whole_checkpoint_and_no_pile_of_temporaries()
    {
        string dll = WriterDll();
        string folder = Directory.CreateTempSubdirectory("netgen-kill-").FullName;
        string path = Path.Combine(folder, "run.safetensors");
        var random = new Random(20261202);
        int midWrite = 0;
        try
        {
            for (int kill = 0; kill < Kills; kill++)
            {
                using var child = new Process
                {
                    StartInfo = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
                    {
                        ArgumentList = { dll, path },
                        UseShellExecute = false,
                    },
                };
                child.Start();
                if (kill == 0)
                {
                    // The first round waits for a complete file; later ones may kill before the child's first write.
                    var waited = Stopwatch.StartNew();
                    while (!File.Exists(path) && waited.Elapsed < TimeSpan.FromSeconds(60))
                    {
                        await System.Threading.Tasks.Task.Delay(10);
                    }

                    Assert.True(File.Exists(path), "The writer wrote nothing within a minute.");
                }

                await System.Threading.Tasks.Task.Delay(random.Next(kill == 0 ? 1 : 40, 240));
                Assert.False(child.HasExited, $"The writer stopped by itself (exit code {(child.HasExited ? child.ExitCode : 0)}).");
                child.Kill();
                Assert.True(child.WaitForExit(TimeSpan.FromSeconds(30)), "The killed writer did not exit.");

                int set = CheckWhole(path);
                Assert.True(set is 1 or 2);
                string[] temporaries = Directory.GetFiles(folder).Select(Path.GetFileName).Where(n => OutputFile.IsTemporaryFile(n!)).ToArray()!;
                midWrite += temporaries.Length;
                Assert.True(temporaries.Length <= 1, $"After kill {kill + 1}: {temporaries.Length} temporary files ({string.Join(", ", temporaries)}).");
                Assert.Equal(new[] { "run.safetensors" }, Directory.GetFiles(folder).Select(Path.GetFileName).Where(n => !OutputFile.IsTemporaryFile(n!)));
            }

            // Not an assertion on timing: just that the kills did land in the middle of writes.
            Assert.True(midWrite > 0, "No kill landed between a temporary file's creation and its rename; the test proves little.");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Loads the checkpoint strictly and returns which weight set (1 or 2) it holds, checking every value.</summary>
    private static int CheckWhole(string path)
    {
        var network = new WriterNetwork(seed: 7);
        CheckpointLoadResult loaded = Checkpoint.Load(network, path, strict: true);
        Assert.True(loaded.IsComplete);
        float set = network.Parameters[0];
        Assert.True(set is 1f or 2f, $"The first parameter is {set}; expected a weight set's mark, 1 or 2.");
        Assert.Equal(-1, network.Parameters.IndexOfAnyExcept(set));
        Assert.Equal(-1, network.Buffers.IndexOfAnyExcept(set));
        if (loaded.Metadata.TryGetValue("netgen.epoch", out string? epoch))
        {
            // A trainer's checkpoint stores its set as the epoch: metadata and tensors come from the same write.
            Assert.Equal(((int)set).ToString(System.Globalization.CultureInfo.InvariantCulture), epoch);
        }

        return (int)set;
    }
}
