using NetGen.Generators.Model;

namespace NetGen.Generators.Emit;

/// <summary>
/// The kernels every network gets besides its layers' (with its sizes as literals): gathering a batch from the
/// device data set, the three losses (the formulas of the CPU losses, one thread per sample), the batch's tally
/// with the divergence check, SGD and Adam / AdamW (one thread per parameter, skipped once a loss diverged), and
/// gradient clipping by global norm.
/// </summary>
internal static class GpuCommonKernels
{
    /// <summary>
    /// After layer <paramref name="i"/>'s backward launches: for each operand whose share went to a staging slot,
    /// a kernel that adds it into the value's gradient (one thread per value), as the CPU's <c>GradientSum.AddInto</c>.
    /// </summary>
    public static void EmitStagedSums(GpuNetwork g, int i, CodeWriter w)
    {
        LayerPlan l = g.Layer(i);
        for (int j = 0; j < l.Operands.Count; j++)
        {
            Operand operand = l.Operands[j];
            if (!operand.IsStaged)
            {
                continue;
            }

            string name = l.PropertyName + "_SumShare" + CodeWriter.Int(j);
            GpuSlot share = g.InputGradient(i, j)!.Value, sum = g.Dy(operand.Producer)!.Value;
            g.OpenKernel(name, l.Name + ": adds its share of d loss / d " + operand.Name + " output " + operand.Shape.ToDimensionList() + " into the rest, one thread per value.");
            g.OpenSampleLoop(operand.Shape.Size);
            g.Kernels.Line(sum.At(sum.Base("s"), "r") + " += " + share.At(share.Base("s"), "r") + ";");
            g.Kernels.Close();
            g.CloseKernel();
            w.Line(g.Launch(name));
        }
    }

    public static void Emit(GpuNetwork g)
    {
        NetworkPlan plan = g.Plan;
        CodeWriter k = g.Kernels;
        int inputs = plan.Input.Size, outputs = plan.Output.Size;
        string o = CodeWriter.Int(outputs);
        var logits = new GpuSlot("Workspace", plan.WorkspaceSize, plan.LogitsOffset);
        var gradient = new GpuSlot("LogitsGradient", outputs, 0);

        g.OpenKernel("Gather", "Copies the batch's samples from the device data set into the batch's inputs, one thread per value.");
        g.OpenSampleLoop(inputs);
        k.Line("v.Input[t] = v.Data[(v.Indices[s] * " + CodeWriter.Int(inputs) + ") + r];");
        k.Close();
        g.CloseKernel();

        // Softmax cross-entropy, as SoftmaxCrossEntropy.LossAndGradient.
        g.OpenKernel("LossSoftmaxCrossEntropy", "Softmax cross-entropy of each sample's " + o + " logits against its label: loss log Σ exp(z − max) + max − z[label], gradient a.Scale · (softmax(z) − onehot(label)); one thread per sample.");
        g.OpenGridLoop("a.Count");
        k.Line("int lb = " + logits.Base("t") + ", gb = " + gradient.Base("t") + ";");
        k.Line("int label = v.Labels[v.Indices[t]];");
        EmitPrediction(k, logits, outputs);
        k.Line("float max = " + logits.At("lb", "0") + ";");
        k.Open("for (int j = 1; j < " + o + "; j++)");
        k.Line("float z = " + logits.At("lb", "j") + ";");
        k.Line("if (z > max) max = z;");
        k.Close();
        k.Line("float sum = 0f;");
        k.Open("for (int j = 0; j < " + o + "; j++)");
        k.Line("float e = global::System.MathF.Exp(" + logits.At("lb", "j") + " - max);");
        k.Line(gradient.At("gb", "j") + " = e;");
        k.Line("sum += e;");
        k.Close();
        k.Line("float factor = a.Scale / sum;");
        k.Open("for (int j = 0; j < " + o + "; j++)");
        k.Line(gradient.At("gb", "j") + " *= factor;");
        k.Close();
        k.Line(gradient.At("gb", "label") + " -= a.Scale;");
        k.Line("v.Losses[t] = global::System.MathF.Log(sum) + (max - " + logits.At("lb", "label") + ");");
        k.Close();
        g.CloseKernel();

        // Binary cross-entropy on logits, as BinaryCrossEntropyWithLogitsLoss (in float).
        g.OpenKernel("LossBinaryCrossEntropy", "Binary cross-entropy on each of the " + o + " logits (mean over the outputs), computed stably: max(z, 0) − z·y + log(1 + exp(−|z|)); gradient a.Scale · (σ(z) − y) / " + o + "; one thread per sample.");
        g.OpenGridLoop("a.Count");
        k.Line("int lb = " + logits.Base("t") + ", gb = " + gradient.Base("t") + ";");
        k.Line("int index = v.Indices[t];");
        k.Line("int label = v.Labels[index];");
        EmitPrediction(k, logits, outputs);
        k.Line("float sum = 0f;");
        k.Open("for (int j = 0; j < " + o + "; j++)");
        k.Line("float z = " + logits.At("lb", "j") + ";");
        EmitTarget(k, outputs);
        k.Line("float e = global::System.MathF.Exp(-global::System.MathF.Abs(z));");
        k.Line("float u = 1f + e;");
        k.Line("float log1p = u == 1f ? e : global::System.MathF.Log(u) * e / (u - 1f);");
        k.Line("sum += (z > 0f ? z : 0f) - (z * y) + log1p;");
        k.Line("float sigmoid = z >= 0f ? 1f / (1f + e) : e / (1f + e);");
        k.Line(gradient.At("gb", "j") + " = (sigmoid - y) * (a.Scale / " + CodeWriter.Float(outputs) + ");");
        k.Close();
        k.Line("v.Losses[t] = sum / " + CodeWriter.Float(outputs) + ";");
        k.Close();
        g.CloseKernel();

        // Mean squared error, as MeanSquaredErrorLoss (in float).
        g.OpenKernel("LossMeanSquaredError", "Mean squared error over the " + o + " outputs: (z − y)² averaged, gradient a.Scale · 2(z − y) / " + o + "; one thread per sample.");
        g.OpenGridLoop("a.Count");
        k.Line("int lb = " + logits.Base("t") + ", gb = " + gradient.Base("t") + ";");
        k.Line("int index = v.Indices[t];");
        k.Line("int label = v.Labels[index];");
        EmitPrediction(k, logits, outputs);
        k.Line("float sum = 0f;");
        k.Open("for (int j = 0; j < " + o + "; j++)");
        k.Line("float z = " + logits.At("lb", "j") + ";");
        EmitTarget(k, outputs, mse: true);
        k.Line("float d = z - y;");
        k.Line("sum += d * d;");
        k.Line(gradient.At("gb", "j") + " = d * (2f * a.Scale / " + CodeWriter.Float(outputs) + ");");
        k.Close();
        k.Line("v.Losses[t] = sum / " + CodeWriter.Float(outputs) + ";");
        k.Close();
        g.CloseKernel();

        g.OpenKernel("Tally", "One thread: the batch's loss sum and correct count (in sample order) into its slot of the epoch; in training, the first batch whose loss is not finite is recorded, and every later update is skipped.");
        k.Line("float loss = 0f;");
        k.Line("int correct = 0;");
        k.Open("for (int s = 0; s < a.Count; s++)");
        k.Line("loss += v.Losses[s];");
        k.Line("correct += v.Correct[s];");
        k.Close();
        k.Line("v.BatchLoss[a.Batch] = loss;");
        k.Line("v.BatchCorrect[a.Batch] = correct;");
        k.Open("if (a.Training != 0 && !(loss > float.NegativeInfinity && loss < float.PositiveInfinity) && v.Status[0] == 0)");
        k.Line("v.Status[0] = 1;");
        k.Line("v.Status[1] = a.Batch;");
        k.Close();
        g.CloseKernel();

        g.OpenKernel("Sgd", "SGD over one parameter group with PyTorch's semantics: g ← g + λθ; v ← μv + g (v ← g on the first step); d = v, or g + μv with Nesterov; θ ← θ − lr·d.", GpuNetwork.Update);
        k.Line("if (v.Status[0] != 0) return;");
        g.OpenGridLoop("a.Length");
        k.Line("int i = a.Offset + t;");
        k.Line("float p = v.Parameters[i];");
        k.Line("float grad = v.Gradients[i];");
        k.Line("if (a.WeightDecay != 0f) grad += a.WeightDecay * p;");
        k.Open("if (a.Momentum == 0f)");
        k.Line("v.Parameters[i] = p - (a.LearningRate * grad);");
        k.Close();
        k.Open("else");
        k.Line("float velocity = a.First != 0 ? grad : (a.Momentum * v.Moment1[i]) + grad;");
        k.Line("v.Moment1[i] = velocity;");
        k.Line("float d = a.Nesterov != 0 ? grad + (a.Momentum * velocity) : velocity;");
        k.Line("v.Parameters[i] = p - (a.LearningRate * d);");
        k.Close();
        k.Close();
        g.CloseKernel();

        g.OpenKernel("Adam", "Adam / AdamW over one parameter group: g ← g + L2·θ; m ← β1m + (1 − β1)g; v ← β2v + (1 − β2)g²; θ ← θ·decay − step·m / (√v / √bc2 + ε).", GpuNetwork.Update);
        k.Line("if (v.Status[0] != 0) return;");
        g.OpenGridLoop("a.Length");
        k.Line("int i = a.Offset + t;");
        k.Line("float p = v.Parameters[i];");
        k.Line("float grad = v.Gradients[i];");
        k.Line("if (a.L2 != 0f) grad += a.L2 * p;");
        k.Line("float m = (a.Beta1 * v.Moment1[i]) + ((1f - a.Beta1) * grad);");
        k.Line("float second = (a.Beta2 * v.Moment2[i]) + ((1f - a.Beta2) * (grad * grad));");
        k.Line("v.Moment1[i] = m;");
        k.Line("v.Moment2[i] = second;");
        k.Line("float denom = (global::System.MathF.Sqrt(second) / a.BiasCorrection2Sqrt) + a.Epsilon;");
        k.Line("if (a.Decay != 1f) p *= a.Decay;");
        k.Line("v.Parameters[i] = p - (a.StepSize * (m / denom));");
        k.Close();
        g.CloseKernel();

        g.OpenKernel("SumOfSquares", "Adds the squares of one group's gradient into one partial sum per thread group (a grid-stride loop, then the group's threads summed through shared memory by its first thread).", GpuNetwork.Update);
        k.Line("var shared = global::ILGPU.SharedMemory.Allocate<float>(1024);");
        k.Line("int first = " + GpuNetwork.Grid + ".GlobalIndex.X;");
        k.Line("int stride = " + GpuNetwork.Grid + ".DimX * " + GpuNetwork.Group + ".DimX;");
        k.Line("float acc = 0f;");
        k.Open("for (int t = first; t < a.Length; t += stride)");
        k.Line("float grad = v.Gradients[a.Offset + t];");
        k.Line("acc += grad * grad;");
        k.Close();
        k.Line("shared[" + GpuNetwork.Group + ".IdxX] = acc;");
        k.Line(GpuNetwork.Group + ".Barrier();");
        k.Open("if (" + GpuNetwork.Group + ".IdxX == 0)");
        k.Line("float sum = 0f;");
        k.Open("for (int i = 0; i < " + GpuNetwork.Group + ".DimX; i++)");
        k.Line("sum += shared[i];");
        k.Close();
        k.Line("v.Partials[" + GpuNetwork.Grid + ".IdxX] += sum;");
        k.Close();
        g.CloseKernel();

        g.OpenKernel("ClipFactor", "One thread: the global norm from the a.Length partial sums, and the factor that clips it to a.MaxNorm (1 when it is smaller).", GpuNetwork.Update);
        k.Line("float sum = 0f;");
        k.Open("for (int i = 0; i < a.Length; i++)");
        k.Line("sum += v.Partials[i];");
        k.Close();
        k.Line("float norm = global::System.MathF.Sqrt(sum);");
        k.Line("v.Scalars[1] = norm;");
        k.Line("v.Scalars[0] = norm > a.MaxNorm ? a.MaxNorm / (norm + 1e-6f) : 1f;");
        g.CloseKernel();

        g.OpenKernel("ScaleGradients", "Multiplies one group's gradient by the clipping factor.", GpuNetwork.Update);
        k.Line("float factor = v.Scalars[0];");
        k.Line("if (factor == 1f) return;");
        g.OpenGridLoop("a.Length");
        k.Line("v.Gradients[a.Offset + t] *= factor;");
        k.Close();
        g.CloseKernel();
    }

    /// <summary>The predicted class (arg-max, first on ties, NaN never wins; one output: whether it is positive) and the correct flag.</summary>
    private static void EmitPrediction(CodeWriter k, GpuSlot logits, int outputs)
    {
        if (outputs == 1)
        {
            k.Line("int predicted = " + logits.At("lb", "0") + " > 0f ? 1 : 0;");
        }
        else
        {
            k.Line("int predicted = 0;");
            k.Line("float best = " + logits.At("lb", "0") + ";");
            k.Open("for (int j = 1; j < " + CodeWriter.Int(outputs) + "; j++)");
            k.Line("float z = " + logits.At("lb", "j") + ";");
            k.Open("if (z > best || (best != best && z == z))");
            k.Line("best = z;");
            k.Line("predicted = j;");
            k.Close();
            k.Close();
        }

        k.Line("v.Correct[t] = predicted == label ? 1 : 0;");
    }

    /// <summary>y: the sample's target when the data set has targets; else the label (one output, BCE) or one-hot.</summary>
    private static void EmitTarget(CodeWriter k, int outputs, bool mse = false)
    {
        string fallback = outputs == 1 && !mse ? "(float)label" : "(j == label ? 1f : 0f)";
        k.Line("float y = a.TargetSize > 0 ? v.Targets[(index * a.TargetSize) + j] : " + fallback + ";");
    }
}
