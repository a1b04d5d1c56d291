using System.Collections.Generic;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using NetGen.Generators.Emit;
using NetGen.Generators.Model;

namespace NetGen.Generators;

/// <summary>
/// The NetGen source generator: for each class marked <c>[Network]</c>, parse its layer attributes, infer and
/// check every shape, and emit the network's code.
/// </summary>
/// <remarks>
/// Caching contract: the transform returns a <see cref="NetworkResult"/>, which compares by value and holds
/// nothing from the compilation (no symbols, no syntax). The plan carries no source locations, so edits that
/// only move code leave the generated source cached; diagnostics travel on their own output. A network that
/// bakes weights names an additional file; only named files are read, each once per change, into a
/// <see cref="WeightsFile"/> that holds its bytes' hash, so the plan (and the source) changes exactly when the
/// file's content does.
/// </remarks>
[Generator(LanguageNames.CSharp)]
public sealed partial class NetworkGenerator : IIncrementalGenerator
{
    /// <summary>Metadata name of the attribute that marks a network.</summary>
    public const string NetworkAttributeName = "NetGen.NetworkAttribute";

    /// <summary>Tracking names of the pipeline steps, for caching tests.</summary>
    public static class Steps
    {
        /// <summary>Attributes parsed and shapes planned.</summary>
        public const string Networks = "Networks";

        /// <summary>The weights file names the networks ask for.</summary>
        public const string RequestedWeights = "RequestedWeights";

        /// <summary>The additional files those names match, read and parsed.</summary>
        public const string WeightsFiles = "WeightsFiles";

        /// <summary>Networks with their weights resolved against the files (and baked into the plan).</summary>
        public const string Baked = "Baked";

        /// <summary>The plans that are emitted.</summary>
        public const string Plans = "Plans";

        /// <summary>The diagnostics that are reported.</summary>
        public const string Diagnostics = "Diagnostics";

        /// <summary>Classes with [Input] or layer attributes but no [Network] (NG0022), one step per attribute.</summary>
        public const string WithoutNetwork = "WithoutNetwork";
    }

    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<NetworkResult> networks = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                NetworkAttributeName,
                static (node, _) => node is TypeDeclarationSyntax,
                static (ctx, ct) => Analyze(ctx, ct))
            .WithTrackingName(Steps.Networks);

        // Only the additional files some network names are read (once per change of the file or of the names);
        // the names are sorted and compared by value, so code edits leave the files' step cached.
        IncrementalValueProvider<EquatableArray<string>> requested = networks
            .Select(static (r, _) => r.Weights?.Name)
            .Where(static name => name is not null)
            .Collect()
            .Select(static (names, _) => names.Select(n => n!).Distinct().OrderBy(n => n, System.StringComparer.Ordinal).ToEquatableArray())
            .WithTrackingName(Steps.RequestedWeights);
        IncrementalValuesProvider<WeightsFile> files = context.AdditionalTextsProvider
            .Combine(requested)
            .Where(static pair => Weights.IsRequested(pair.Left.Path, pair.Right))
            .Select(static (pair, ct) => Weights.Read(pair.Left.Path, ct))
            .WithTrackingName(Steps.WeightsFiles);
        IncrementalValuesProvider<NetworkResult> resolved = networks
            .Combine(files.Collect())
            .Select(static (pair, _) => Weights.Resolve(pair.Left, pair.Right))
            .WithTrackingName(Steps.Baked);

        IncrementalValuesProvider<EquatableArray<DiagnosticInfo>> diagnostics = resolved
            .Select(static (r, _) => r.Diagnostics)
            .WithTrackingName(Steps.Diagnostics);
        context.RegisterSourceOutput(diagnostics, static (spc, list) =>
        {
            foreach (DiagnosticInfo info in list)
            {
                spc.ReportDiagnostic(info.ToDiagnostic());
            }
        });

        IncrementalValuesProvider<NetworkPlan> plans = resolved
            .Where(static r => r.Plan is not null)
            .Select(static (r, _) => r.Plan!)
            .WithTrackingName(Steps.Plans);
        context.RegisterSourceOutput(plans, static (spc, plan) =>
        {
            string hint = ((plan.Namespace is null ? string.Empty : plan.Namespace + ".") + plan.ClassName).Replace("@", string.Empty) + ".g.cs";
            spc.AddSource(hint, SourceText.From(NetworkEmitter.Emit(plan), Encoding.UTF8));
        });

        RegisterWithoutNetwork(context);

        // ILGPU kernels, as a second part of each network, only where the project references NetGen.Gpu.
        IncrementalValueProvider<bool> gpu = context.CompilationProvider
            .Select(static (compilation, _) => compilation.GetTypeByMetadataName(GpuEmitter.MarkerTypeName) is not null);
        context.RegisterSourceOutput(plans.Combine(gpu), static (spc, pair) =>
        {
            if (pair.Right)
            {
                spc.AddSource(GpuEmitter.HintName(pair.Left), SourceText.From(GpuEmitter.Emit(pair.Left), Encoding.UTF8));
            }
        });
    }

    /// <summary>Parser then shape inference; never throws on user input, every mistake becomes a diagnostic.</summary>
    private static NetworkResult Analyze(GeneratorAttributeSyntaxContext context, System.Threading.CancellationToken cancellationToken)
    {
        var diagnostics = new List<DiagnosticInfo>();
        NetworkModel? model = Parser.Parse(context, diagnostics, cancellationToken);
        NetworkPlan? plan = model is null ? null : ShapeInference.Plan(model, diagnostics);
        WeightsRequest? weights = Weights.ReadRequest(context, context.TargetSymbol.ToDisplayString(), cancellationToken);
        return new NetworkResult(diagnostics.Count == 0 ? plan : null, diagnostics.ToEquatableArray(), weights);
    }
}
