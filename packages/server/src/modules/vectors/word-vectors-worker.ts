// The word-vectors reader thread: parses the package's JSON off the main thread and posts back the words and
// one flat Float32Array (transferred), so the server keeps answering while the built-in encoder is built.
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { WordVectorRows } from './word-vectors.ts';

interface WinkFile {
  dimensions: number;
  words: string[];
  /** word → [dim values…, l2 norm, word index]. */
  vectors: Record<string, number[]>;
}

try {
  const file = JSON.parse(readFileSync(workerData as string, 'utf8')) as WinkFile;
  const dim = file.dimensions;
  const table = new Float32Array(file.words.length * dim);
  file.words.forEach((word, row) => {
    const v = file.vectors[word];
    if (v) table.set(v.slice(0, dim), row * dim);
  });
  const rows: WordVectorRows = { dim, words: file.words, table };
  parentPort?.postMessage(rows, [table.buffer]);
} catch (error) {
  parentPort?.postMessage({ error: error instanceof Error ? error.message : String(error) });
}
