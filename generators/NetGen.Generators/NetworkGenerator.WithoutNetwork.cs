using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using NetGen.Generators.Diagnostics;
using NetGen.Generators.Model;

namespace NetGen.Generators;

/// <summary>
/// NG0022: <c>[Input]</c> or layer attributes on a class that has no <c>[Network]</c>, which would otherwise
/// compile to nothing without a word.
/// </summary>
/// <remarks>
/// One <c>ForAttributeWithMetadataName</c> per NetGen attribute, so only classes that carry one are looked at, and
/// each transform yields a value (a <see cref="DiagnosticInfo"/> or null) that compares by value, so edits elsewhere
/// leave the steps cached. Every pipeline whose attribute a class carries sees the class; only the one whose
/// attribute comes first on the class (across its partial declarations, in declaration order) reports it, so each
/// class gets exactly one diagnostic without a step that collects them all.
/// </remarks>
public sealed partial class NetworkGenerator
{
    private static void RegisterWithoutNetwork(IncrementalGeneratorInitializationContext context)
    {
        foreach (string attributeName in Parser.NetworkDescriptionAttributeNames)
        {
            IncrementalValuesProvider<DiagnosticInfo?> found = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    attributeName,
                    static (node, _) => node is TypeDeclarationSyntax,
                    (ctx, ct) => WithoutNetwork(ctx, attributeName, ct))
                .WithTrackingName(Steps.WithoutNetwork);
            context.RegisterSourceOutput(found.Where(static d => d is not null), static (spc, info) => spc.ReportDiagnostic(info!.ToDiagnostic()));
        }
    }

    /// <summary>The class's NG0022, when it has no [Network] and <paramref name="attributeName"/> is its first NetGen attribute on this declaration; else null.</summary>
    private static DiagnosticInfo? WithoutNetwork(GeneratorAttributeSyntaxContext context, string attributeName, CancellationToken cancellationToken)
    {
        // Structs, interfaces and record structs get the compiler's CS0592 for any NetGen attribute.
        if (context.TargetSymbol is not INamedTypeSymbol { TypeKind: TypeKind.Class } type)
        {
            return null;
        }

        AttributeData? first = null;
        foreach (AttributeData attribute in type.GetAttributes())
        {
            cancellationToken.ThrowIfCancellationRequested();
            // A misspelled [Netwrok] (or any attribute that does not bind) is the compiler's error, and the missing
            // [Network] may be just that: nothing to add.
            if (attribute.AttributeClass is not INamedTypeSymbol attributeClass
                || attributeClass.TypeKind == TypeKind.Error
                || attributeClass.ToDisplayString() == NetworkAttributeName)
            {
                return null;
            }

            if (first is null && Parser.IsNetworkDescription(attributeClass))
            {
                first = attribute;
            }
        }

        if (first?.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is not AttributeSyntax syntax
            || first.AttributeClass!.ToDisplayString() != attributeName
            || syntax.SyntaxTree != context.TargetNode.SyntaxTree
            || !context.TargetNode.Span.Contains(syntax.Span))
        {
            return null;
        }

        return DiagnosticInfo.Create(
            DiagnosticDescriptors.LayersWithoutNetwork, LocationInfo.From(syntax.GetLocation()), Parser.ShortName(first.AttributeClass), type.ToDisplayString());
    }
}
