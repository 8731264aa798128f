// Builds the default encoder from the pretrained word vectors and a tenant's catalog text: a vocabulary
// (the most frequent words plus every catalog word the vectors know) and SIF weights a/(a + p(word)).
import { builtinEncoderGraph } from './builtin-graph.ts';
import { builtinTokenizerJson, SPECIAL_TOKENS } from './builtin-tokenizer.ts';
import type { WordVectors } from './word-vectors.ts';
import { words } from './words.ts';

/** Most frequent words always in the vocabulary (queries use words the catalog lacks: "couch" for sofas). */
export const DEFAULT_VOCABULARY_SIZE = 50_000;
/**
 * SIF's smoothing `a`: a word as frequent as this weighs half as much as a rare one. Tuned on chorus-icecat
 * (vector-only NDCG@10: 3e-4 → 0.28, 1e-3 → 0.33, 1e-2 → 0.35; see bench/vectors.ts).
 */
export const DEFAULT_SIF_A = 1e-2;
/** Zipf's law for English: the word of frequency rank r has probability ≈ ZIPF_C / (r + 1). */
const ZIPF_C = 0.06;
/** How many words of general English the catalog's counts are blended with (a small catalog says little). */
const PRIOR_WORDS = 10_000;

export interface BuiltinEncoderOptions {
  vocabularySize?: number;
  sifA?: number;
}

export interface BuiltinEncoder {
  onnx: Buffer;
  tokenizerJson: object;
  vocabulary: string[];
  /** Per vocabulary entry (0 for the special tokens). */
  weights: Float32Array;
}

const WORDLIKE = /^[\p{L}\p{N}]+$/u;

/**
 * p(word) is its share of the catalog's words blended with its Zipf estimate from the vectors' frequency order
 * (and never below the latter), so stop words weigh little even in an empty catalog and the catalog's
 * boilerplate weighs little too.
 */
export const buildBuiltinEncoder = (
  vectors: WordVectors,
  catalogTexts: Iterable<string>,
  options: BuiltinEncoderOptions = {},
): BuiltinEncoder => {
  const size = options.vocabularySize ?? DEFAULT_VOCABULARY_SIZE;
  const a = options.sifA ?? DEFAULT_SIF_A;
  const counts = new Map<string, number>();
  let total = 0;
  for (const text of catalogTexts)
    for (const w of words(text)) {
      counts.set(w, (counts.get(w) ?? 0) + 1);
      total++;
    }
  const rows = new Set<number>();
  for (let r = 0; r < vectors.words.length && rows.size < size; r++)
    if (WORDLIKE.test(vectors.words[r])) rows.add(r);
  for (const w of counts.keys()) {
    const r = vectors.index(w);
    if (r !== undefined) rows.add(r);
  }
  const ordered = [...rows].sort((x, y) => x - y);
  const vocabulary = [...SPECIAL_TOKENS, ...ordered.map((r) => vectors.words[r])];
  const dim = vectors.dim;
  const table = new Float32Array(vocabulary.length * dim);
  const weights = new Float32Array(vocabulary.length);
  ordered.forEach((r, i) => {
    const id = i + SPECIAL_TOKENS.length;
    table.set(vectors.table.subarray(r * dim, (r + 1) * dim), id * dim);
    const zipf = ZIPF_C / (r + 1);
    const p = Math.max(
      zipf,
      ((counts.get(vectors.words[r]) ?? 0) + PRIOR_WORDS * zipf) / (total + PRIOR_WORDS),
    );
    weights[id] = a / (a + p);
  });
  return {
    onnx: builtinEncoderGraph({ table, weights, dim }),
    tokenizerJson: builtinTokenizerJson(vocabulary),
    vocabulary,
    weights,
  };
};
