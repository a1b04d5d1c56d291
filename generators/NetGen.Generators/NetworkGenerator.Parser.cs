using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using NetGen.Generators.Diagnostics;
using NetGen.Generators.Model;

namespace NetGen.Generators;

/// <summary>Reads a <c>[Network]</c> class's attributes into a <see cref="NetworkModel"/>.</summary>
public sealed partial class NetworkGenerator
{
    internal static class Parser
    {
        private const string LayerAttributeName = "NetGen.LayerAttribute";
        private const string InputAttributeName = "NetGen.InputAttribute";

        /// <summary>Metadata names of the attributes that describe a network: <c>[Input]</c> and every layer kind.</summary>
        public static IEnumerable<string> NetworkDescriptionAttributeNames => Layers.LayerKind.AttributeNames.Prepend(InputAttributeName);

        /// <summary>Whether <paramref name="attributeClass"/> is <c>[Input]</c> or derives from <c>LayerAttribute</c>.</summary>
        public static bool IsNetworkDescription(INamedTypeSymbol attributeClass) =>
            attributeClass.ToDisplayString() == InputAttributeName || DerivesFrom(attributeClass, LayerAttributeName);

        /// <summary>
        /// Parses the class that carries <c>[Network]</c>. Returns null (and no diagnostics) when an attribute
        /// has compile errors of its own: the compiler already reports them.
        /// </summary>
        public static NetworkModel? Parse(GeneratorAttributeSyntaxContext context, List<DiagnosticInfo> diagnostics, System.Threading.CancellationToken cancellationToken)
        {
            if (context.TargetSymbol is not INamedTypeSymbol type || context.TargetNode is not TypeDeclarationSyntax declaration)
            {
                return null;
            }

            string display = type.ToDisplayString();
            LocationInfo? classLocation = LocationInfo.From(declaration.Identifier.GetLocation());
            // On a struct, record struct or interface the compiler reports [Network] itself (CS0592: valid only on
            // classes); a record is a class to the compiler, so NG0013 says what it is.
            if (type.TypeKind != TypeKind.Class)
            {
                return null;
            }

            if (declaration is not ClassDeclarationSyntax classDeclaration)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedClass, classLocation, display, "a class, not a record"));
                return null;
            }

            if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotPartial, classLocation, display));
                return null;
            }

            string? unsupported = type.IsGenericType ? "non-generic"
                : type.IsStatic ? "non-static (it has a constructor and instance members)"
                : type.ContainingType is not null ? "declared at namespace level, not nested in another type"
                : HasPrimaryConstructor(type) ? "declared without a primary constructor (NetGen generates the constructor)"
                : ShapeInference.IsGeneratedMemberName(type.Name) ? "named differently from NetGen's generated members (" + type.Name + " is one)"
                : null;
            if (unsupported is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedClass, classLocation, display, unsupported));
                return null;
            }

            // An attribute that does not bind (a misspelled [Desne(10)]) is the compiler's error; what the network
            // would lack without it (no layers, a shape that does not fit) is a consequence, not another mistake.
            bool broken = type.GetAttributes().Any(a => a.AttributeClass is null || a.AttributeClass.TypeKind == TypeKind.Error);
            var inputShape = ImmutableArray<int>.Empty;
            LocationInfo? inputLocation = null;
            bool sawInput = false, sawLayer = false, misplacedInput = false, unknownLayer = false;
            var layers = new List<LayerSpec>();
            IEnumerable<(AttributeData Attribute, AttributeSyntax Syntax)> attributes = AttributesInSourceOrder(type, classDeclaration, diagnostics, display, out bool split, cancellationToken);
            foreach ((AttributeData attribute, AttributeSyntax syntax) in attributes)
            {
                INamedTypeSymbol? attributeClass = attribute.AttributeClass;
                if (attributeClass is null || attributeClass.TypeKind == TypeKind.Error || HasErrors(attribute))
                {
                    broken = true;
                    continue;
                }

                string name = attributeClass.ToDisplayString();
                LocationInfo? location = LocationInfo.From(syntax.GetLocation());
                if (name == InputAttributeName)
                {
                    if (sawInput || sawLayer)
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MisplacedInput, location, display));
                        misplacedInput = true;
                        continue;
                    }

                    sawInput = true;
                    inputLocation = location;
                    inputShape = attribute.ConstructorArguments.Length == 1
                        && attribute.ConstructorArguments[0].Kind == TypedConstantKind.Array
                        && !attribute.ConstructorArguments[0].IsNull
                        ? attribute.ConstructorArguments[0].Values.Select(v => v.Value is int i ? i : 0).ToImmutableArray()
                        : ImmutableArray<int>.Empty;
                    continue;
                }

                if (!DerivesFrom(attributeClass, LayerAttributeName))
                {
                    continue;
                }

                if (!Layers.LayerKind.TryFromAttribute(name, out Layers.LayerKind kind))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownLayer, location, ShortName(attributeClass)));
                    unknownLayer = true;
                    continue;
                }

                sawLayer = true;
                layers.Add(ReadLayer(kind, attribute, location));
            }

            // Without the layers reported as split off or unknown, or with [Input] only after the layers, the chain
            // is not the network the user wrote: its shapes (or "no layers", "no [Input]") would be consequences of
            // the mistake already reported, so they are not checked.
            if (broken || split || unknownLayer || (misplacedInput && !sawInput))
            {
                return null;
            }

            // Keywords used as names (namespace @event, class @class) stay escaped in the emitted code.
            string? ns = type.ContainingNamespace is { IsGlobalNamespace: false } n
                ? string.Join(".", n.ToDisplayString().Split('.').Select(part => Escape(part.TrimStart('@'))))
                : null;
            return new NetworkModel(
                ns,
                Escape(type.Name),
                display,
                inputShape.ToEquatableArray(),
                sawInput ? inputLocation : null,
                layers.ToEquatableArray(),
                classLocation,
                sawInput);
        }

        /// <summary>
        /// The NetGen attributes of the declaration that carries [Network], in source order. Those on other
        /// partial declarations are reported (their order relative to these is not defined).
        /// </summary>
        private static IEnumerable<(AttributeData Attribute, AttributeSyntax Syntax)> AttributesInSourceOrder(
            INamedTypeSymbol type, ClassDeclarationSyntax declaration, List<DiagnosticInfo> diagnostics, string display, out bool split, System.Threading.CancellationToken cancellationToken)
        {
            split = false;
            var here = new List<(AttributeData, AttributeSyntax)>();
            foreach (AttributeData attribute in type.GetAttributes())
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is not AttributeSyntax syntax)
                {
                    continue;
                }

                INamedTypeSymbol? attributeClass = attribute.AttributeClass;
                if (attributeClass is null || !IsNetworkDescription(attributeClass))
                {
                    continue;
                }

                if (syntax.SyntaxTree == declaration.SyntaxTree && declaration.Span.Contains(syntax.Span))
                {
                    here.Add((attribute, syntax));
                }
                else
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SplitDeclarations, LocationInfo.From(syntax.GetLocation()), ShortName(attributeClass), display));
                    split = true;
                }
            }

            return here.OrderBy(a => a.Item2.SpanStart);
        }

        /// <summary>The attribute's constants, handed to its kind, which reads its own arguments and defaults.</summary>
        private static LayerSpec ReadLayer(Layers.LayerKind kind, AttributeData attribute, LocationInfo? location)
        {
            var positional = attribute.ConstructorArguments.Select(Value).ToList();
            var named = attribute.NamedArguments.Select(a => new KeyValuePair<string, object?>(a.Key, Value(a.Value))).ToList();
            return kind.ReadArguments(new Layers.LayerArguments(kind, positional, named, location));
        }

        /// <summary>A constant's value; an array (a <c>params</c> argument) as the list of its elements' values, null when it is null.</summary>
        private static object? Value(TypedConstant constant) => constant.Kind == TypedConstantKind.Array
            ? (constant.IsNull ? null : constant.Values.Select(Value).ToList())
            : constant.Value;

        /// <summary>The name as written in an attribute list: <c>Dense</c> for <c>DenseAttribute</c>.</summary>
        public static string ShortName(INamedTypeSymbol attributeClass) =>
            attributeClass.Name.EndsWith("Attribute", System.StringComparison.Ordinal) && attributeClass.Name.Length > "Attribute".Length
                ? attributeClass.Name.Substring(0, attributeClass.Name.Length - "Attribute".Length)
                : attributeClass.Name;

        private static bool DerivesFrom(INamedTypeSymbol type, string baseName)
        {
            for (INamedTypeSymbol? t = type.BaseType; t is not null; t = t.BaseType)
            {
                if (t.ToDisplayString() == baseName)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>A primary constructor is declared by the type declaration itself (C# 12; this Roslyn predates the syntax).</summary>
        private static bool HasPrimaryConstructor(INamedTypeSymbol type) =>
            type.InstanceConstructors.Any(c => c.Parameters.Length > 0
                && c.DeclaringSyntaxReferences.Any(r => r.GetSyntax() is TypeDeclarationSyntax));

        private static string Escape(string identifier) =>
            SyntaxFacts.GetKeywordKind(identifier) != SyntaxKind.None ? "@" + identifier : identifier;

        private static bool HasErrors(AttributeData attribute)
        {
            if (attribute.AttributeConstructor is null)
            {
                return true;
            }

            foreach (TypedConstant argument in attribute.ConstructorArguments)
            {
                if (argument.Kind == TypedConstantKind.Error)
                {
                    return true;
                }
            }

            foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
            {
                if (argument.Value.Kind == TypedConstantKind.Error)
                {
                    return true;
                }
            }

            return false;
        }
    }
}
