using System;
using System.Collections.Generic;
using System.Globalization;

namespace NetGen;

/// <summary>Argument checks and state copying shared by the optimizers and gradient clipping.</summary>
internal static class OptimizerSupport
{
    public static float CheckLearningRate(float value, string paramName) =>
        value >= 0f && float.IsFinite(value)
            ? value
            : throw new ArgumentOutOfRangeException(paramName, value, "The learning rate must be finite and ≥ 0.");

    public static float CheckWeightDecay(float value, string paramName) =>
        value >= 0f && float.IsFinite(value)
            ? value
            : throw new ArgumentOutOfRangeException(paramName, value, "The weight decay must be finite and ≥ 0.");

    /// <summary>Checks the arguments of a step against each other and against the state the optimizer holds (<paramref name="stateLength"/>, −1 for none).</summary>
    public static void CheckStep(int parameters, int gradients, int stateLength, ReadOnlySpan<ParameterGroup> groups)
    {
        if (gradients != parameters)
        {
            throw new ArgumentException($"Expected one gradient per parameter ({parameters}); got {gradients}.", nameof(gradients));
        }

        if (stateLength >= 0 && stateLength != parameters)
        {
            throw new ArgumentException(
                $"This optimizer holds state for {stateLength} parameters; got {parameters}. Use one optimizer per parameter buffer.",
                nameof(parameters));
        }

        CheckGroups(groups, parameters, nameof(groups));
    }

    /// <summary>Throws unless every group lies in [0, <paramref name="length"/>), has a finite scale ≥ 0 and overlaps no other group.</summary>
    public static void CheckGroups(ReadOnlySpan<ParameterGroup> groups, int length, string paramName)
    {
        bool ordered = true;
        long previousEnd = 0;
        for (int i = 0; i < groups.Length; i++)
        {
            ParameterGroup group = groups[i];
            long end = (long)group.Offset + group.Length;
            if (group.Offset < 0 || group.Length < 0 || end > length)
            {
                throw new ArgumentException(
                    $"Group {i} covers [{group.Offset}, {end}) (offset {group.Offset}, length {group.Length}); a group must lie inside the {length} parameters, [0, {length}).",
                    paramName);
            }

            if (!(group.LearningRateScale >= 0f && float.IsFinite(group.LearningRateScale)))
            {
                throw new ArgumentException(
                    $"Group {i} has learning-rate scale {group.LearningRateScale.ToString(CultureInfo.InvariantCulture)}; it must be finite and ≥ 0.",
                    paramName);
            }

            if (group.Length > 0)
            {
                ordered &= group.Offset >= previousEnd;
                previousEnd = end;
            }
        }

        if (ordered)
        {
            return;
        }

        // Unordered groups: compare every pair (groups are few).
        for (int i = 0; i < groups.Length; i++)
        {
            ParameterGroup a = groups[i];
            for (int j = i + 1; j < groups.Length && a.Length > 0; j++)
            {
                ParameterGroup b = groups[j];
                if (b.Length > 0 && a.Offset < (long)b.Offset + b.Length && b.Offset < (long)a.Offset + a.Length)
                {
                    throw new ArgumentException(
                        $"Groups {i} [{a.Offset}, {(long)a.Offset + a.Length}) and {j} [{b.Offset}, {(long)b.Offset + b.Length}) overlap; a parameter may belong to one group at most.",
                        paramName);
                }
            }
        }
    }

    /// <summary>
    /// Why <paramref name="optimizer"/> starts fresh instead of taking <paramref name="saved"/> (a checkpoint's
    /// state): the file has none, its kind differs (SGD → Adam, Adam ↔ AdamW …), or an SGD's momentum setting
    /// differs from the one that wrote it; null when the state is the optimizer's to restore (it may still be corrupt).
    /// </summary>
    public static string? WhyStartFresh(IOptimizer optimizer, OptimizerState? saved)
    {
        if (saved is null)
        {
            return "the file has no optimizer state";
        }

        string kind = optimizer switch
        {
            Sgd => "sgd",
            AdamW => "adamw",
            Adam => "adam",
            _ => optimizer.ExportState().Kind,
        };
        if (!string.Equals(saved.Kind, kind, StringComparison.Ordinal))
        {
            return $"the file's is of '{saved.Kind}', this optimizer is '{kind}'";
        }

        if (optimizer is Sgd sgd && saved.StepCount > 0)
        {
            bool fileHasMomentum = saved.Buffers.ContainsKey("momentum_buffer");
            if (fileHasMomentum && sgd.Momentum == 0f)
            {
                return "the file's 'sgd' state has a momentum buffer, this SGD has no momentum";
            }

            if (!fileHasMomentum && sgd.Momentum != 0f && saved.Buffers.Count == 0)
            {
                return string.Create(
                    CultureInfo.InvariantCulture, $"the file's 'sgd' state has no momentum buffer (written without momentum), this SGD has momentum {sgd.Momentum}");
            }
        }

        return null;
    }

    /// <summary>
    /// The run of parameters from <paramref name="start"/> (below <paramref name="end"/>) that have taken as many
    /// Adam steps as the first: their length, and that count. One run shares one set of bias corrections.
    /// </summary>
    public static (int Length, int Taken) StepRun(ReadOnlySpan<int> steps, int start, int end)
    {
        int taken = steps[start];
        int other = steps[start..end].IndexOfAnyExcept(taken);
        return (other < 0 ? end - start : other, taken);
    }

    /// <summary>
    /// Adam's per-parameter step counts as the state's optional <c>"step"</c> buffer: null when every parameter
    /// has taken <paramref name="stepCount"/> steps (PyTorch's layout only), floats otherwise (exact up to 2^24).
    /// </summary>
    public static float[]? ExportSteps(int[] steps, long stepCount) =>
        steps.AsSpan().IndexOfAnyExcept((int)Math.Min(stepCount, int.MaxValue)) >= 0 ? Array.ConvertAll(steps, c => (float)c) : null;

    /// <summary>
    /// Fills <paramref name="steps"/> from a state's <c>"step"</c> buffer, or with <paramref name="stepCount"/>
    /// when it has none; each count must be a whole number in [0, <paramref name="stepCount"/>].
    /// </summary>
    public static void ImportSteps(float[]? counts, long stepCount, Span<int> steps, string paramName)
    {
        if (counts is null)
        {
            steps.Fill(checked((int)stepCount));
            return;
        }

        for (int i = 0; i < counts.Length; i++)
        {
            float c = counts[i];
            steps[i] = c >= 0 && c <= stepCount && c == MathF.Floor(c)
                ? (int)c
                : throw new ArgumentException($"Buffer 'step' holds {c} at {i}; expected a whole number of steps in [0, {stepCount}].", paramName);
        }
    }

    /// <summary>
    /// Checks <paramref name="state"/> for an optimizer of kind <paramref name="kind"/> whose state buffers are
    /// <paramref name="names"/> (all of them) and <paramref name="optional"/> (each present or not), and returns
    /// copies of them in that order (an absent optional one as null), or null when the state has none (step count
    /// 0, or an optimizer without buffers).
    /// </summary>
    public static float[]?[]? ReadState(OptimizerState state, string kind, ReadOnlySpan<string> names, int heldLength, ReadOnlySpan<string> optional = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!string.Equals(state.Kind, kind, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The state is of an optimizer of kind '{state.Kind}'; this optimizer is '{kind}'.", nameof(state));
        }

        IReadOnlyDictionary<string, float[]> buffers = state.Buffers;
        if (names.IsEmpty || state.StepCount == 0)
        {
            if (buffers.Count != 0)
            {
                string why = names.IsEmpty ? "this optimizer keeps no buffers in its settings" : "the state has taken no step";
                throw new ArgumentException(
                    $"Unexpected buffers [{string.Join(", ", buffers.Keys)}]: {why}.",
                    nameof(state));
            }

            return null;
        }

        int optionalPresent = 0;
        foreach (string name in optional)
        {
            optionalPresent += buffers.ContainsKey(name) ? 1 : 0;
        }

        string expected = string.Join(", ", names.ToArray()) + (optional.IsEmpty ? "" : "] and optionally [" + string.Join(", ", optional.ToArray()));
        if (buffers.Count != names.Length + optionalPresent)
        {
            throw new ArgumentException(
                $"A '{kind}' state after {state.StepCount} steps needs exactly the buffers [{expected}]; it has [{string.Join(", ", buffers.Keys)}].",
                nameof(state));
        }

        var result = new float[]?[names.Length + optional.Length];
        int length = -1;
        for (int i = 0; i < names.Length; i++)
        {
            if (!buffers.TryGetValue(names[i], out float[]? buffer))
            {
                throw new ArgumentException(
                    $"A '{kind}' state after {state.StepCount} steps needs exactly the buffers [{expected}]; it has [{string.Join(", ", buffers.Keys)}].",
                    nameof(state));
            }

            if (length >= 0 && buffer.Length != length)
            {
                throw new ArgumentException(
                    $"Buffer '{names[i]}' holds {buffer.Length} values but '{names[0]}' holds {length}; all must cover the same parameters.",
                    nameof(state));
            }

            length = buffer.Length;
            result[i] = (float[])buffer.Clone();
        }

        for (int i = 0; i < optional.Length; i++)
        {
            if (buffers.TryGetValue(optional[i], out float[]? buffer))
            {
                if (buffer.Length != length)
                {
                    throw new ArgumentException(
                        $"Buffer '{optional[i]}' holds {buffer.Length} values but '{names[0]}' holds {length}; all must cover the same parameters.",
                        nameof(state));
                }

                result[names.Length + i] = (float[])buffer.Clone();
            }
        }

        if (heldLength >= 0 && length != heldLength)
        {
            throw new ArgumentException(
                $"The state's buffers cover {length} parameters but this optimizer already holds state for {heldLength}.",
                nameof(state));
        }

        return result;
    }
}
