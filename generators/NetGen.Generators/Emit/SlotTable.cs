using System;
using System.Collections.Generic;

namespace NetGen.Generators.Emit;

/// <summary>
/// The named spans of one pass method: each slice of the workspace, the parameters, their gradients, the
/// buffers or the batch state that the method's calls use gets a local named after its layer and role
/// (<c>conv1_y</c>, <c>dense2_dw</c>), declared once at the top of the method with its offset, length and shape,
/// so the calls read <c>Conv1Forward(input, conv1_w, conv1_b, conv1_y)</c>. Names are the layer's name, an
/// underscore and a role without underscores, so two slots never share a name, and no name is one of the
/// pass methods' parameters (none of which has an underscore). The declarations run before any call, so only
/// spans that are whole on every run of the pass may be slots (the workspace, parameters, gradients and buffers,
/// whose lengths the public methods check); the batch state, empty in evaluation, is sliced at its calls.
/// </summary>
internal sealed class SlotTable
{
    private readonly List<string> _order = new();
    private readonly Dictionary<string, (string Expression, string Comment)> _slots = new(StringComparer.Ordinal);

    /// <summary>
    /// The name of the slice <paramref name="buffer"/>[<paramref name="offset"/>, +<paramref name="length"/>) as
    /// <paramref name="layer"/>'s <paramref name="role"/>; the slice expression itself when that name already
    /// stands for another slice (a layout the roles do not tell apart stays correct, only unnamed).
    /// </summary>
    public string Use(string buffer, int offset, int length, string layer, string role, string comment)
    {
        string expression = CodeWriter.Format("{0}.Slice({1}, {2})", buffer, offset, length);
        string name = layer + "_" + role;
        if (_slots.TryGetValue(name, out var existing))
        {
            return existing.Expression == expression ? name : expression;
        }

        _slots[name] = (expression, comment);
        _order.Add(name);
        return name;
    }

    /// <summary>Writes the declarations of the slots that <paramref name="body"/> uses, aligned, then the body.</summary>
    public void WriteWith(CodeWriter w, CodeWriter body)
    {
        var used = Identifiers(body.ToString());
        var lines = new List<(string Code, string Comment)>();
        foreach (string name in _order)
        {
            if (used.Contains(name))
            {
                lines.Add(("var " + name + " = " + _slots[name].Expression + ";", _slots[name].Comment));
            }
        }

        int width = 0;
        foreach ((string code, _) in lines)
        {
            width = Math.Max(width, code.Length);
        }

        foreach ((string code, string comment) in lines)
        {
            w.Line(code.PadRight(width) + " // " + comment);
        }

        if (lines.Count > 0)
        {
            w.Line();
        }

        w.Append(body);
    }

    private static HashSet<string> Identifiers(string text)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        int start = -1;
        for (int i = 0; i <= text.Length; i++)
        {
            bool part = i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_');
            if (part && start < 0)
            {
                start = i;
            }
            else if (!part && start >= 0)
            {
                result.Add(text.Substring(start, i - start));
                start = -1;
            }
        }

        return result;
    }
}
