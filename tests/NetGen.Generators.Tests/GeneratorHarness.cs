using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace NetGen.Generators.Tests;

/// <summary>
/// Runs the NetGen generator over user source as the SDK's compiler would (C# 14, nullable on, .NET 10
/// reference assemblies plus the NetGen runtime), and loads what it builds.
/// </summary>
internal static class GeneratorHarness
{
    /// <summary>Path given to the user source tree, so diagnostic locations can be mapped back to it.</summary>
    public const string UserFilePath = "/src/Network.cs";

    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.CSharp14);

    /// <summary>References and options, bound once: every run adds its own syntax trees to this compilation.</summary>
    private static readonly Lazy<CSharpCompilation> s_base = new(() => CSharpCompilation.Create(
        "NetGenUserCode",
        syntaxTrees: [],
        references: [.. Basic.Reference.Assemblies.Net100.References.All, MetadataReference.CreateFromFile(typeof(INetwork).Assembly.Location)],
        options: new CSharpCompilationOptions(
            OutputKind.DynamicallyLinkedLibrary,
            nullableContextOptions: NullableContextOptions.Enable,
            deterministic: true)));

    public static SyntaxTree Parse(string source, string path = UserFilePath) =>
        CSharpSyntaxTree.ParseText(SourceText.From(source, System.Text.Encoding.UTF8), ParseOptions, path);

    /// <summary>A compilation of the given trees, sharing the bound references of every other run.</summary>
    public static CSharpCompilation Compile(params SyntaxTree[] trees) => s_base.Value.AddSyntaxTrees(trees);

    /// <summary>A fresh driver holding the NetGen generator, tracking its steps for caching tests.</summary>
    public static GeneratorDriver CreateDriver() => CSharpGeneratorDriver.Create(
        [new NetworkGenerator().AsSourceGenerator()],
        parseOptions: ParseOptions,
        driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator over <paramref name="source"/> (one file at <see cref="UserFilePath"/>).</summary>
    public static GeneratorRun Run(string source) => Run(Compile(Parse(source)));

    /// <summary>Runs the generator over <paramref name="source"/> with <paramref name="files"/> as the compilation's additional files.</summary>
    public static GeneratorRun Run(string source, params AdditionalText[] files) =>
        Run(Compile(Parse(source)), CreateDriver().AddAdditionalTexts([.. files]));

    public static GeneratorRun Run(Compilation input, GeneratorDriver? driver = null)
    {
        driver = (driver ?? CreateDriver()).RunGeneratorsAndUpdateCompilation(input, out Compilation output, out ImmutableArray<Diagnostic> driverDiagnostics);
        return new GeneratorRun(input, output, driver, driver.GetRunResult(), driverDiagnostics);
    }

    /// <summary>
    /// Emits <paramref name="compilation"/> and loads it into a collectible context whose NetGen runtime is the
    /// one this test already loaded, so generated classes implement the same <see cref="INetwork"/> type.
    /// </summary>
    public static LoadedAssembly EmitAndLoad(Compilation compilation)
    {
        using var stream = new MemoryStream();
        Microsoft.CodeAnalysis.Emit.EmitResult result = compilation.Emit(stream);
        if (!result.Success)
        {
            throw new InvalidOperationException("Emit failed:\n" + string.Join("\n", result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        }

        stream.Position = 0;
        var context = new RuntimeSharingLoadContext();
        return new LoadedAssembly(context, context.LoadFromStream(stream));
    }

    /// <summary>Resolves the NetGen runtime to the copy already loaded; everything else from the default context.</summary>
    private sealed class RuntimeSharingLoadContext() : AssemblyLoadContext("NetGenGenerated", isCollectible: true)
    {
        private static readonly Assembly s_runtime = typeof(INetwork).Assembly;

        protected override Assembly? Load(AssemblyName assemblyName) =>
            AssemblyName.ReferenceMatchesDefinition(assemblyName, s_runtime.GetName()) ? s_runtime : null;
    }
}

/// <summary>An emitted assembly of generated networks; disposing unloads it.</summary>
internal sealed class LoadedAssembly(AssemblyLoadContext context, Assembly assembly) : IDisposable
{
    public Assembly Assembly { get; } = assembly;

    /// <summary>Creates the network class <paramref name="fullName"/> with <c>new T(seed)</c>.</summary>
    public INetwork Create(string fullName, int seed)
    {
        Type type = Assembly.GetType(fullName, throwOnError: true)!;
        return (INetwork)Activator.CreateInstance(type, seed)!;
    }

    /// <summary>Creates the network class <paramref name="fullName"/> with <c>new T()</c> (baked weights).</summary>
    public INetwork Create(string fullName)
    {
        Type type = Assembly.GetType(fullName, throwOnError: true)!;
        return (INetwork)Activator.CreateInstance(type)!;
    }

    public void Dispose() => context.Unload();
}

/// <summary>What one generator run produced.</summary>
internal sealed class GeneratorRun(Compilation input, Compilation output, GeneratorDriver driver, GeneratorDriverRunResult result, ImmutableArray<Diagnostic> driverDiagnostics)
{
    private ImmutableArray<Diagnostic>? _outputDiagnostics;

    public Compilation Input { get; } = input;

    public Compilation Output { get; } = output;

    /// <summary>The driver after the run, to run again on an edited compilation.</summary>
    public GeneratorDriver Driver { get; } = driver;

    public GeneratorDriverRunResult Result { get; } = result;

    /// <summary>Everything the generator reported, including CS8785 when it threw.</summary>
    public ImmutableArray<Diagnostic> GeneratorDiagnostics { get; } = driverDiagnostics;

    public GeneratorRunResult Single => Result.Results.Single();

    /// <summary>The generated files by hint name.</summary>
    public IReadOnlyDictionary<string, string> Sources =>
        Result.Results.SelectMany(r => r.GeneratedSources).ToDictionary(s => s.HintName, s => s.SourceText.ToString(), StringComparer.Ordinal);

    /// <summary>Diagnostics of the compilation with the generated code added (computed once).</summary>
    public ImmutableArray<Diagnostic> OutputDiagnostics => _outputDiagnostics ??= Output.GetDiagnostics();

    public IEnumerable<Diagnostic> NetGenDiagnostics => GeneratorDiagnostics.Where(d => d.Id.StartsWith("NG", StringComparison.Ordinal));

    /// <summary>Non-null when the generator crashed: an exception on a result, or a CS8785 warning.</summary>
    public string? Crash =>
        Result.Results.Select(r => r.Exception).FirstOrDefault(e => e is not null)?.ToString()
        ?? GeneratorDiagnostics.FirstOrDefault(d => d.Id is "CS8785" or "CS8784")?.ToString();

    /// <summary>The user-source text a diagnostic points at (NetGen locations are file path + span).</summary>
    public string LocatedText(Diagnostic diagnostic)
    {
        FileLinePositionSpan span = diagnostic.Location.GetLineSpan();
        SyntaxTree tree = Input.SyntaxTrees.Single(t => t.FilePath == span.Path);
        return tree.GetText().ToString(diagnostic.Location.SourceSpan);
    }

    /// <summary>Prints what a failing assertion needs to see.</summary>
    public string Describe() =>
        "generator: " + string.Join("; ", GeneratorDiagnostics.Select(d => d.ToString()))
        + "\noutput errors: " + string.Join("; ", OutputDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).Take(10).Select(d => d.ToString()));
}
