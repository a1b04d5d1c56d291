using NetGen;

namespace Tagger;

/// <summary>
/// The part-of-speech tagger: 64 token ids (0 = padding) → a bidirectional LSTM of 64 units per direction → 12
/// universal tags at every step. 27,056 ids: padding, unknown, and the Brown training split's words seen twice or more.
/// </summary>
[Network, Input(TaggerShape.Steps)]
[Embedding(TaggerShape.Vocabulary, 64, MaskZero = true)]
[LSTM(64, Bidirectional = true, ReturnSequences = true)]
[Dense(12)]
public partial class UniversalTagger;

/// <summary>The same network for the Brown corpus's own 232 tags (<c>--tag-column brown</c>).</summary>
[Network, Input(TaggerShape.Steps)]
[Embedding(TaggerShape.Vocabulary, 64, MaskZero = true)]
[LSTM(64, Bidirectional = true, ReturnSequences = true)]
[Dense(232)]
public partial class BrownTagger;

/// <summary>The sizes both taggers share.</summary>
public static class TaggerShape
{
    /// <summary>Tokens per sentence: longer ones are cut (0.3 % of the training sentences), shorter ones padded.</summary>
    public const int Steps = 64;

    /// <summary>Token ids of the Embedding.</summary>
    public const int Vocabulary = 27056;
}
