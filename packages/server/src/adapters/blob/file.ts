// Embedded blob store: one file per key under a root folder. A put writes a temp file in `<root>/.tmp`,
// fsyncs it and renames it into place, so readers see the old object or the whole new one, never a part.
import { randomUUID } from 'node:crypto';
import { type FileHandle, mkdir, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { QuiverError } from '../../kernel/index.ts';
import { assertKey, assertPrefix } from './keys.ts';
import type { BlobEntry, BlobHead, BlobSource, BlobStore, PutOptions, PutResult } from './port.ts';
import { chunksOf, storage, Tally } from './tally.ts';

export const TEMP_DIR = '.tmp';
/** Temp files older than this are left over from a crash and are removed by the first put. */
export const STALE_TEMP_MS = 60 * 60 * 1000;

const codeOf = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code;
const absent = (error: unknown): boolean => codeOf(error) === 'ENOENT' || codeOf(error) === 'ENOTDIR';
const CLASHES = new Set(['EEXIST', 'ENOTDIR', 'EISDIR', 'ENOTEMPTY']);

const writeAll = async (fh: FileHandle, chunk: Buffer): Promise<void> => {
  for (let at = 0; at < chunk.length; ) at += (await fh.write(chunk, at)).bytesWritten;
};

export interface FileBlobStoreOptions {
  root: string;
}

export class FileBlobStore implements BlobStore {
  readonly kind = 'file' as const;
  readonly root: string;
  private readonly tempDir: string;
  private swept = false;

  constructor(options: FileBlobStoreOptions) {
    this.root = options.root;
    this.tempDir = join(this.root, TEMP_DIR);
  }

  private pathOf(key: string): string {
    return join(this.root, ...key.split('/'));
  }

  /** The local file of `key` (which may not exist), for readers that need a path, such as onnxruntime. */
  fileOf(key: string): string {
    assertKey(key);
    return this.pathOf(key);
  }

  async put(key: string, source: BlobSource, options: PutOptions = {}): Promise<PutResult> {
    assertKey(key);
    const tally = new Tally(key, options.maxBytes);
    await storage('create its temp folder', () => mkdir(this.tempDir, { recursive: true }));
    await this.sweep();
    const temp = join(this.tempDir, `${randomUUID()}.part`);
    const fh = await storage(`write '${key}'`, () => open(temp, 'wx'));
    let handleOpen = true;
    try {
      for await (const chunk of chunksOf(source)) {
        tally.add(chunk);
        await storage(`write '${key}'`, () => writeAll(fh, chunk));
      }
      await storage(`write '${key}'`, async () => {
        await fh.sync();
        handleOpen = false;
        await fh.close();
      });
      await this.moveIntoPlace(key, temp);
      return tally.result();
    } catch (error) {
      if (handleOpen) await fh.close().catch(() => {});
      await unlink(temp).catch(() => {});
      throw error;
    }
  }

  private async moveIntoPlace(key: string, temp: string): Promise<void> {
    const target = this.pathOf(key);
    try {
      await mkdir(dirname(target), { recursive: true });
      await rename(temp, target);
    } catch (error) {
      if (CLASHES.has(codeOf(error) ?? '')) {
        throw new QuiverError('conflict', `blob key '${key}' clashes with a folder of other keys`, {
          cause: error,
        });
      }
      throw new QuiverError('unavailable', `blob store failed to store '${key}'`, { cause: error });
    }
    // Make the rename itself durable; a failure here does not undo the put.
    const dir = await open(dirname(target), 'r').catch(() => undefined);
    await dir?.sync().catch(() => {});
    await dir?.close().catch(() => {});
  }

  private async sweep(): Promise<void> {
    if (this.swept) return;
    this.swept = true;
    const cutoff = Date.now() - STALE_TEMP_MS;
    for (const name of await readdir(this.tempDir).catch(() => [])) {
      const path = join(this.tempDir, name);
      const info = await stat(path).catch(() => undefined);
      if (info && info.mtimeMs < cutoff) await unlink(path).catch(() => {});
    }
  }

  private async openFile(key: string): Promise<FileHandle | undefined> {
    assertKey(key);
    return storage(`read '${key}'`, async () => {
      const fh = await open(this.pathOf(key), 'r').catch((error) => {
        if (absent(error)) return undefined;
        throw error;
      });
      if (fh && !(await fh.stat()).isFile()) {
        await fh.close();
        return undefined;
      }
      return fh;
    });
  }

  async get(key: string): Promise<Readable | undefined> {
    return (await this.openFile(key))?.createReadStream();
  }

  async getBuffer(key: string): Promise<Buffer | undefined> {
    const fh = await this.openFile(key);
    if (!fh) return undefined;
    try {
      return await storage(`read '${key}'`, () => fh.readFile());
    } finally {
      await fh.close();
    }
  }

  async head(key: string): Promise<BlobHead | undefined> {
    assertKey(key);
    return storage(`read '${key}'`, async () => {
      const info = await stat(this.pathOf(key)).catch((error) => {
        if (absent(error)) return undefined;
        throw error;
      });
      return info?.isFile() ? { size: info.size } : undefined;
    });
  }

  async delete(key: string): Promise<void> {
    assertKey(key);
    await storage(`delete '${key}'`, () =>
      unlink(this.pathOf(key)).catch((error) => {
        // A folder of other keys is not an object, so there is nothing to delete.
        if (!absent(error) && codeOf(error) !== 'EISDIR') throw error;
      }),
    );
  }

  async *list(prefix = ''): AsyncIterable<BlobEntry> {
    assertPrefix(prefix);
    yield* this.walk(prefix.slice(0, prefix.lastIndexOf('/') + 1), prefix);
  }

  private async *walk(folder: string, prefix: string): AsyncGenerator<BlobEntry> {
    const entries = await storage(`list '${prefix}'`, () =>
      readdir(join(this.root, folder), { withFileTypes: true }).catch((error) => {
        if (absent(error)) return [];
        throw error;
      }),
    );
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue; // the temp folder; no key segment starts with a dot
      const key = folder + entry.name;
      if (entry.isDirectory() && `${key}/`.startsWith(prefix)) yield* this.walk(`${key}/`, prefix);
      if (!entry.isFile() || !key.startsWith(prefix)) continue;
      const info = await stat(this.pathOf(key)).catch(() => undefined);
      if (info) yield { key, size: info.size };
    }
  }

  async close(): Promise<void> {}
}
