// The blob port: a small object-store surface (model artifacts) with an embedded (files) and a distributed
// (S3) implementation. Writes stream, hash while writing, and are atomic: a failed put leaves nothing behind.
import type { Readable } from 'node:stream';

/** What `put` reads: a stream (read once, never held whole in memory) or bytes already in memory. */
export type BlobSource = Readable | Uint8Array | AsyncIterable<Uint8Array | string>;

export interface PutOptions {
  contentType?: string;
  /** Rejects with `payload_too_large` (and stores nothing) once more bytes than this arrive. */
  maxBytes?: number;
}

export interface PutResult {
  size: number;
  /** Lower-case hex SHA-256 of the bytes stored. */
  sha256: string;
}

export interface BlobHead {
  size: number;
}

export interface BlobEntry {
  key: string;
  size: number;
}

/**
 * Keys are `/`-separated relative paths (see keys.ts); invalid keys reject with `validation_failed`.
 * Storage failures reject with `unavailable` (cause kept); errors of the source stream reject as they are.
 * Known gap: in the file store a key cannot also be a folder of another key (`a` and `a/b`): that put
 * rejects with `conflict`. S3 allows both.
 */
export interface BlobStore {
  readonly kind: 'file' | 's3';
  /** Stores the source under `key`, replacing any object there only once the whole source has been read. */
  put(key: string, source: BlobSource, options?: PutOptions): Promise<PutResult>;
  /** A stream of the object, or undefined when there is none. */
  get(key: string): Promise<Readable | undefined>;
  getBuffer(key: string): Promise<Buffer | undefined>;
  head(key: string): Promise<BlobHead | undefined>;
  /** Removes the object; removing one that does not exist is not an error. */
  delete(key: string): Promise<void>;
  /** Objects whose key starts with `prefix` (a plain string prefix, not only at `/`), in no set order. */
  list(prefix?: string): AsyncIterable<BlobEntry>;
  close(): Promise<void>;
}
