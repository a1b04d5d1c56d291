// Shared by the samples that parse with System.CommandLine (compiled into each with <Compile Include="../Common/..." />).
using System;
using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;

namespace NetGen.Samples;

/// <summary>
/// A sample's <c>Main</c>: parses the command line, runs the sample, and turns whatever goes wrong into one line
/// <c>error: ...</c> on stderr and an exit code of <see cref="ExitCodes"/>. A parse error (an unknown option, a
/// missing value, a value that <see cref="SampleOptions"/> rejects) exits with <see cref="ExitCodes.Usage"/>
/// before the sample starts; an exception from the sample is reported by <see cref="SampleErrors"/>.
/// </summary>
internal static class SampleMain
{
    /// <summary>
    /// Adds <c>--verbose</c> (or uses <paramref name="verbose"/>, a sample's own) and the exit codes to
    /// <paramref name="root"/>'s help, parses <paramref name="args"/> and runs <paramref name="action"/>.
    /// </summary>
    /// <returns>The process exit code.</returns>
    public static int Run(RootCommand root, string[] args, Func<ParseResult, int> action, Option<bool>? verbose = null)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(action);
        if (verbose is null)
        {
            verbose = new Option<bool>("--verbose") { Description = "With an error, also print its stack trace (as does " + ExitCodes.VerboseVariable + "=1)." };
            root.Options.Add(verbose);
        }

        root.Description += Environment.NewLine + Environment.NewLine + ExitCodes.Description;
        root.SetAction(parsed =>
        {
            try
            {
                return action(parsed);
            }
#pragma warning disable CA1031 // The top of the program: every exception becomes an error line and an exit code.
            catch (Exception e)
#pragma warning restore CA1031
            {
                return SampleErrors.Report(e, parsed.GetValue(verbose) || SampleErrors.VerboseFromEnvironment);
            }
        });

        ParseResult result = root.Parse(args);
        if (result.Action is ParseErrorAction && result.Errors.Count > 0)
        {
            return SampleErrors.Usage(Describe(result.Errors[0]));
        }

        return result.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
    }

    /// <summary>System.CommandLine's message, said as the samples' own are: the option first, then what it expected.</summary>
    private static string Describe(ParseError error)
    {
        string message = error.Message;
        if (message.StartsWith('-'))
        {
            // A message of SampleOptions: it names the option already.
            return message;
        }

        if (error.SymbolResult is OptionResult { Option: Option option } result)
        {
            return result.Tokens.Count == 0 ? $"{option.Name}: expected a value (see --help)" : $"{option.Name}: {message}";
        }

        return message.TrimEnd('.') + " (see --help)";
    }
}
