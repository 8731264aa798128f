// Reading a put's source chunk by chunk while counting bytes, hashing them and enforcing the size limit.
import { createHash } from 'node:crypto';
import { isQuiverError, QuiverError } from '../../kernel/index.ts';
import type { BlobSource, PutResult } from './port.ts';

/** Yields the source as Buffers; a stream is pulled with backpressure and destroyed if iteration stops. */
export async function* chunksOf(source: BlobSource): AsyncGenerator<Buffer> {
  if (source instanceof Uint8Array) {
    yield Buffer.from(source.buffer, source.byteOffset, source.byteLength);
    return;
  }
  for await (const chunk of source as AsyncIterable<Uint8Array | string>) {
    yield typeof chunk === 'string'
      ? Buffer.from(chunk)
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  }
}

/** Counts and hashes every chunk that passes through `add`. */
export class Tally {
  private readonly hash = createHash('sha256');
  size = 0;

  constructor(
    private readonly key: string,
    private readonly maxBytes = Number.POSITIVE_INFINITY,
  ) {}

  add(chunk: Buffer): Buffer {
    this.size += chunk.length;
    if (this.size > this.maxBytes) {
      throw new QuiverError('payload_too_large', `blob '${this.key}' exceeds ${this.maxBytes} bytes`);
    }
    this.hash.update(chunk);
    return chunk;
  }

  result(): PutResult {
    return { size: this.size, sha256: this.hash.digest('hex') };
  }
}

/** Runs a storage call, wrapping an outside failure as `unavailable` with its cause kept. */
export const storage = async <T>(what: string, call: () => Promise<T>): Promise<T> => {
  try {
    return await call();
  } catch (error) {
    if (isQuiverError(error)) throw error;
    throw new QuiverError('unavailable', `blob store failed to ${what}`, { cause: error });
  }
};
