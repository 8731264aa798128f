// The file blob store against the contract, plus what only files show: temp files and folder clashes.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { FileBlobStore, TEMP_DIR } from '../../../src/adapters/blob/file.ts';
import { isQuiverError } from '../../../src/kernel/index.ts';
import { blobStoreContract } from './contract.ts';

const base = mkdtempSync(join(tmpdir(), 'quiver-blob-file-'));
let count = 0;
const fresh = () => new FileBlobStore({ root: join(base, `store-${++count}`) });
after(() => rmSync(base, { recursive: true, force: true }));

describe('FileBlobStore contract', () => {
  blobStoreContract(async () => fresh());
});

describe('FileBlobStore', () => {
  it('keeps objects as files under the root and removes the temp file of a failed put', async () => {
    const store = fresh();
    await store.put('models/m/v1', Buffer.from('abc'));
    assert.deepEqual(readdirSync(join(store.root, 'models', 'm')), ['v1']);
    const failing = Readable.from(
      (async function* () {
        yield Buffer.alloc(1024);
        throw new Error('boom');
      })(),
    );
    await assert.rejects(store.put('models/m/v2', failing), /boom/);
    assert.deepEqual(readdirSync(join(store.root, TEMP_DIR)), []);
    assert.deepEqual(readdirSync(join(store.root, 'models', 'm')), ['v1']);
  });

  it('names the gap: a key cannot also be a folder of other keys', async () => {
    const store = fresh();
    await store.put('a/b', Buffer.from('x'));
    await assert.rejects(store.put('a', Buffer.from('y')), (e) => isQuiverError(e) && e.code === 'conflict');
    await assert.rejects(
      store.put('a/b/c', Buffer.from('y')),
      (e) => isQuiverError(e) && e.code === 'conflict',
    );
    assert.equal(await store.head('a'), undefined);
    assert.deepEqual(readdirSync(join(store.root, TEMP_DIR)), []);
  });
});
