// Reads any HuggingFace tokenizer.json (the built-in encoder's and a user's sentence-transformer's) with
// @huggingface/tokenizers, offline, and turns a batch of texts into padded id and mask rows.
import { Tokenizer } from '@huggingface/tokenizers';

/** Longer texts are cut to this many tokens (sentence-transformers' usual limit). */
export const DEFAULT_MAX_TOKENS = 256;

export interface TokenBatch {
  batch: number;
  seq: number;
  /** Row-major [batch, seq]; padding is id 0 with mask 0. */
  ids: number[];
  mask: number[];
}

export interface TextTokenizer {
  encode(texts: readonly string[]): TokenBatch;
}

export const loadTokenizer = (json: object, maxTokens = DEFAULT_MAX_TOKENS): TextTokenizer => {
  const tokenizer = new Tokenizer(json, {});
  return {
    encode(texts) {
      const rows = texts.map((t) => tokenizer.encode(t).ids.slice(0, maxTokens));
      const seq = Math.max(1, ...rows.map((r) => r.length));
      const ids: number[] = [];
      const mask: number[] = [];
      for (const row of rows)
        for (let i = 0; i < seq; i++) {
          ids.push(i < row.length ? row[i] : 0);
          mask.push(i < row.length ? 1 : 0);
        }
      return { batch: texts.length, seq, ids, mask };
    },
  };
};
