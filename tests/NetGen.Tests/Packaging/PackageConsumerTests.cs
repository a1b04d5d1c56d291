using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using System.Xml.Linq;
using Xunit;

namespace NetGen.Tests.Packaging;

/// <summary>
/// The path a user takes: <c>dotnet pack</c> the NetGen package into a folder feed, then build and run a console
/// project outside the solution whose only reference is that package, with a network that bakes weights and
/// one that is seeded. Takes 30-90 s (one pack of the already built runtime, one restore and build, one run);
/// it is in the default test run because nothing else checks the package a user gets.
/// </summary>
[Trait("Category", "Slow")]
public sealed class PackageConsumerTests
{
    private static readonly TimeSpan s_stepTimeout = TimeSpan.FromMinutes(5);

    [Fact]
    public void PackedPackage_BuildsAndRunsAConsumerOutsideTheSolution()
    {
        string root = RepositoryRoot();
        string configuration = typeof(PackageConsumerTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
        string work = Path.Combine(Path.GetTempPath(), "netgen-package-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(work);
        try
        {
            // A version no earlier run used, so no package cache anywhere can answer for it.
            string version = "0.0.0-test." + DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "." + Guid.NewGuid().ToString("N")[..8];
            string feed = Path.Combine(work, "feed");

            // Packs the runtime and generator this test run was built from (no second build, nothing written into the repository).
            Dotnet(root, "pack", Path.Combine(root, "src", "NetGen", "NetGen.csproj"), "-c", configuration, "--no-build", "-o", feed,
                "-p:PackageVersion=" + version, "-p:NuspecOutputPath=" + Path.Combine(work, "nuspec") + Path.DirectorySeparatorChar);
            string package = Path.Combine(feed, "NetGen." + version + ".nupkg");
            AssertPackageLayout(package);

            string app = Path.Combine(work, "app");
            WriteConsumer(app, feed, version);
            var environment = new Dictionary<string, string>
            {
                // A package folder of its own: the test package never lands in (or comes from) the user's cache.
                ["NUGET_PACKAGES"] = Path.Combine(work, "packages"),
            };
            Dotnet(app, environment, "build", "-c", "Release", "--disable-build-servers", "-nologo");
            string output = Dotnet(app, environment, Path.Combine(app, "bin", "Release", "net10.0", "Consumer.dll"));

            // Tiny's weights are W = [[1, 2, 3], [-4, 0.5, 0.25]], b = [0.125, -1]; the input is [1, -1, 2].
            string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.Contains("baked: 5.125 -5", lines);
            Assert.Contains("seeded: 23 parameters ok", lines);

            // The package's build logic: an x64 Native-AOT publish that sets no instruction set gets x86-64-v3, so
            // the vector kernels run; the user's own choice, and the opt-out, win. (Evaluation only: no AOT compile.)
            Assert.Equal("x86-64-v3", InstructionSet(app, environment, "-p:PublishAot=true", "-p:RuntimeIdentifier=linux-x64"));
            Assert.Equal("x86-64-v3", InstructionSet(app, environment, "-p:PublishAot=true", "-p:RuntimeIdentifier=win-x64"));
            Assert.Equal("x86-64-v4", InstructionSet(app, environment, "-p:PublishAot=true", "-p:RuntimeIdentifier=linux-x64", "-p:IlcInstructionSet=x86-64-v4"));
            Assert.Equal(string.Empty, InstructionSet(app, environment, "-p:PublishAot=true", "-p:RuntimeIdentifier=linux-x64", "-p:NetGenSetInstructionSet=false"));
            Assert.Equal(string.Empty, InstructionSet(app, environment, "-p:PublishAot=true", "-p:RuntimeIdentifier=linux-arm64"));
            Assert.Equal(string.Empty, InstructionSet(app, environment, "-p:RuntimeIdentifier=linux-x64"));
        }
        finally
        {
            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp folder is harmless.
            }
        }
    }

    /// <summary>The consumer's <c>IlcInstructionSet</c> as MSBuild evaluates it with the given properties.</summary>
    private static string InstructionSet(string app, Dictionary<string, string> environment, params string[] properties) =>
        Dotnet(app, environment, ["msbuild", "Consumer.csproj", "-nologo", "-getProperty:IlcInstructionSet", .. properties]).Trim();

    /// <summary>One package: the runtime in lib/net10.0, the generator in analyzers/dotnet/cs, and no dependencies.</summary>
    private static void AssertPackageLayout(string package)
    {
        using ZipArchive zip = ZipFile.OpenRead(package);
        string[] entries = [.. zip.Entries.Select(e => e.FullName)];
        Assert.Contains("lib/net10.0/NetGen.dll", entries);
        Assert.Contains("lib/net10.0/NetGen.xml", entries);
        Assert.Contains("analyzers/dotnet/cs/NetGen.Generators.dll", entries);
        Assert.Contains("build/NetGen.targets", entries);
        Assert.Contains("buildTransitive/NetGen.targets", entries);
        Assert.Contains("README.md", entries);
        Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal) && e.Contains("Generators", StringComparison.Ordinal));

        using Stream nuspec = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open();
        XDocument document = XDocument.Load(nuspec);
        Assert.DoesNotContain(document.Descendants(), e => e.Name.LocalName == "dependency");
        Assert.Equal("NetGen", document.Descendants().Single(e => e.Name.LocalName == "id").Value);
        Assert.Equal("README.md", document.Descendants().Single(e => e.Name.LocalName == "readme").Value);
    }

    /// <summary>A console project in its own folder: a nuget.config with only the feed, and MSBuild files that stop the search for the repository's.</summary>
    private static void WriteConsumer(string app, string feed, string version)
    {
        Directory.CreateDirectory(app);
        File.WriteAllText(Path.Combine(app, "Directory.Build.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(app, "Directory.Build.targets"), "<Project />\n");
        File.WriteAllText(Path.Combine(app, "Directory.Packages.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="netgen-test-feed" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(app, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="NetGen" Version="{version}" />
                <AdditionalFiles Include="weights/tiny.safetensors" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), """
            using System;
            using System.Globalization;
            using NetGen;

            var baked = new Tiny();
            Span<float> y = stackalloc float[Tiny.OutputSize];
            baked.Predict([1f, -1f, 2f], y);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"baked: {y[0]} {y[1]}"));

            var seeded = new Seeded(seed: 7);
            Span<float> z = stackalloc float[Seeded.OutputSize];
            seeded.Predict([0.5f, -0.25f, 1f, 2f], z);
            Console.WriteLine($"seeded: {Seeded.ParameterCount} parameters {(float.IsFinite(z[0]) && float.IsFinite(z[1]) ? "ok" : "NaN")}");

            [Network(Weights = "tiny.safetensors"), Input(3), Dense(2)]
            partial class Tiny;

            [Network, Input(4), Dense(3), ReLU, Dense(2)]
            partial class Seeded;
            """);
        Directory.CreateDirectory(Path.Combine(app, "weights"));
        SafetensorsFile.Write(Path.Combine(app, "weights", "tiny.safetensors"),
        [
            SafetensorsTensor.F32("dense1.weight", [2, 3], [1f, 2f, 3f, -4f, 0.5f, 0.25f]),
            SafetensorsTensor.F32("dense1.bias", [2], [0.125f, -1f]),
        ]);
    }

    private static string Dotnet(string directory, params string[] arguments) => Dotnet(directory, new Dictionary<string, string>(), arguments);

    /// <summary>Runs the dotnet host that runs these tests; returns stdout, or fails with the whole output.</summary>
    private static string Dotnet(string directory, Dictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The test host inherits the MSBuild settings of the `dotnet test` that started it; a child build must find its own.
        foreach (string name in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToArray())
        {
            start.Environment.Remove(name);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        foreach ((string name, string value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (stdout) { stdout.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (stderr) { stderr.AppendLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(s_stepTimeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"dotnet {string.Join(' ', arguments)} did not finish in {s_stepTimeout.TotalMinutes} minutes:\n{stdout}\n{stderr}");
        }

        process.WaitForExit(); // drains the output events
        Assert.True(process.ExitCode == 0, $"dotnet {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{stdout}\n{stderr}");
        return stdout.ToString();
    }

    /// <summary>The dotnet executable running this test (DOTNET_HOST_PATH under `dotnet test`), else the one on PATH.</summary>
    private static string DotnetHost()
    {
        string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host))
        {
            return host;
        }

        string? processPath = Environment.ProcessPath;
        return processPath is not null && Path.GetFileNameWithoutExtension(processPath).Equals("dotnet", StringComparison.OrdinalIgnoreCase) ? processPath : "dotnet";
    }

    private static string RepositoryRoot([CallerFilePath] string thisFile = "")
    {
        foreach (string start in new[] { Path.GetDirectoryName(thisFile) ?? string.Empty, AppContext.BaseDirectory })
        {
            for (DirectoryInfo? d = new(start); d is not null; d = d.Parent)
            {
                if (File.Exists(Path.Combine(d.FullName, "src", "NetGen", "NetGen.csproj")))
                {
                    return d.FullName;
                }
            }
        }

        throw new DirectoryNotFoundException("The repository root (with src/NetGen/NetGen.csproj) was not found above " + thisFile);
    }
}
