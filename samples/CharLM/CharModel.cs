using NetGen;

namespace CharLM;

/// <summary>
/// The character language model: windows of 128 characters → embedding 64 → LSTM 256 → the next character's logits
/// at every step. 86 ids: padding (for prompts shorter than a window), unknown, and the 84 characters of the Brown
/// training text.
/// </summary>
[Network, Input(CharModel.Window)]
[Embedding(CharModel.Characters, 64, MaskZero = true)]
[LSTM(256, ReturnSequences = true)]
[Dense(CharModel.Characters)]
public partial class CharModel
{
    /// <summary>Characters per window.</summary>
    public const int Window = 128;

    /// <summary>Character ids of the Embedding and the output.</summary>
    public const int Characters = 86;
}
