// Shared by the samples (compiled into each with <Compile Include="../Common/..." />).
using System;

namespace NetGen.Samples;

/// <summary>
/// A bad option value found after parsing, e.g. <c>--validation</c> against the number of training images, or a
/// device that <c>--accelerator</c> asks for and this machine lacks; the message starts with the option.
/// </summary>
internal sealed class OptionException : ArgumentException
{
    /// <summary>Creates the exception: <c>{option}: {problem}</c>.</summary>
    public OptionException(string option, string problem, Exception? inner = null)
        : base(option + ": " + problem, inner)
    {
        Option = option;
    }

    /// <summary>The option, e.g. <c>--validation</c>.</summary>
    public string Option { get; }
}
