// The built-in encoder's tokenizer as a HuggingFace tokenizer.json, so it is read by the same library as a
// user's: BERT normalization (lowercase, accents stripped), split on spaces and punctuation, then a
// word-level lookup (WordPiece with no `##` pieces: a word not in the vocabulary is `[UNK]`, id 1).
export const PAD_TOKEN = '[PAD]';
export const UNK_TOKEN = '[UNK]';
/** Ids 0 and 1; both carry weight 0 in the model, so padding and unknown words do not count. */
export const SPECIAL_TOKENS = [PAD_TOKEN, UNK_TOKEN] as const;

/** A tokenizer.json `added_tokens` entry for a special token. */
export const specialToken = (content: string, id: number) => ({
  id,
  content,
  single_word: false,
  lstrip: false,
  rstrip: false,
  normalized: false,
  special: true,
});

export const builtinTokenizerJson = (vocab: readonly string[]): object => ({
  version: '1.0',
  truncation: null,
  padding: null,
  added_tokens: SPECIAL_TOKENS.map(specialToken),
  normalizer: {
    type: 'BertNormalizer',
    clean_text: true,
    handle_chinese_chars: true,
    strip_accents: true,
    lowercase: true,
  },
  pre_tokenizer: { type: 'BertPreTokenizer' },
  post_processor: null,
  decoder: null,
  model: {
    type: 'WordPiece',
    unk_token: UNK_TOKEN,
    continuing_subword_prefix: '##',
    max_input_chars_per_word: 100,
    vocab: Object.fromEntries(vocab.map((w, i) => [w, i])),
  },
});
