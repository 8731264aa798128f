// The contract every blob store passes: call `blobStoreContract(open)` inside a test file's describe().
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, it } from 'node:test';
import type { BlobEntry, BlobStore } from '../../../src/adapters/blob/port.ts';
import { isQuiverError } from '../../../src/kernel/index.ts';

const MIB = 1024 * 1024;
/** Larger than any part size, so an S3 store takes the multipart path. */
const BIG_BYTES = 12 * MIB + 12_345;
const CHUNK_BYTES = 64 * 1024;

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** A stream of `data` in small chunks, as a request body would arrive. */
const streamOf = (data: Buffer): Readable =>
  Readable.from(
    (function* () {
      for (let at = 0; at < data.length; at += CHUNK_BYTES) yield data.subarray(at, at + CHUNK_BYTES);
    })(),
  );

/** A stream that sends `bytes` and then fails, like a client that disconnects mid-upload. */
const failingStream = (bytes: number, error: Error): Readable =>
  Readable.from(
    (async function* () {
      for (let sent = 0; sent < bytes; sent += CHUNK_BYTES) yield randomBytes(CHUNK_BYTES);
      throw error;
    })(),
  );

const collect = async (stream: Readable): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

const listed = async (entries: AsyncIterable<BlobEntry>): Promise<BlobEntry[]> => {
  const out: BlobEntry[] = [];
  for await (const entry of entries) out.push(entry);
  return out.sort((a, b) => (a.key < b.key ? -1 : 1));
};

const withCode = (code: string) => (error: unknown) => isQuiverError(error) && error.code === code;

export const blobStoreContract = (open: () => Promise<BlobStore>): void => {
  let store: BlobStore;
  const big = randomBytes(BIG_BYTES);
  beforeEach(async () => {
    store = await open();
  });
  afterEach(async () => {
    await store.close();
  });

  it('streams a multi-megabyte put and reads it back whole, with its size and sha256', async () => {
    const put = await store.put('models/m1/v1.onnx', streamOf(big), {
      contentType: 'application/octet-stream',
    });
    assert.deepEqual(put, { size: BIG_BYTES, sha256: sha256(big) });
    assert.deepEqual(await store.head('models/m1/v1.onnx'), { size: BIG_BYTES });
    const streamed = await collect((await store.get('models/m1/v1.onnx'))!);
    assert.equal(streamed.length, BIG_BYTES);
    assert.equal(sha256(streamed), sha256(big));
    assert.ok(big.equals((await store.getBuffer('models/m1/v1.onnx'))!));
  });

  it('stores bytes given in memory, including an empty object', async () => {
    assert.deepEqual(await store.put('a/hello.txt', Buffer.from('hello')), {
      size: 5,
      sha256: '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824',
    });
    assert.equal((await store.getBuffer('a/hello.txt'))?.toString(), 'hello');
    assert.deepEqual(await store.put('a/empty', Buffer.alloc(0)), {
      size: 0,
      sha256: sha256(Buffer.alloc(0)),
    });
    assert.deepEqual(await store.head('a/empty'), { size: 0 });
    assert.equal((await store.getBuffer('a/empty'))?.length, 0);
  });

  it('overwrites an object with a new one', async () => {
    await store.put('k/obj', streamOf(big));
    await store.put('k/obj', Buffer.from('second'));
    assert.equal((await store.getBuffer('k/obj'))?.toString(), 'second');
    assert.deepEqual(await store.head('k/obj'), { size: 6 });
  });

  it('answers undefined for a missing object and deletes idempotently', async () => {
    assert.equal(await store.get('no/such'), undefined);
    assert.equal(await store.getBuffer('no/such'), undefined);
    assert.equal(await store.head('no/such'), undefined);
    await store.delete('no/such');
    await store.put('d/x', Buffer.from('x'));
    await store.delete('d/x');
    assert.equal(await store.head('d/x'), undefined);
    assert.equal(await store.get('d/x'), undefined);
    assert.deepEqual(await listed(store.list('d/')), []);
  });

  it('lists the objects under a string prefix with their sizes', async () => {
    for (const key of ['m/a/1', 'm/a/2', 'm/ab', 'm/b/1', 'z']) await store.put(key, Buffer.from(key));
    const keys = async (prefix?: string) => (await listed(store.list(prefix))).map((e) => e.key);
    assert.deepEqual(await listed(store.list('m/a/')), [
      { key: 'm/a/1', size: 5 },
      { key: 'm/a/2', size: 5 },
    ]);
    assert.deepEqual(await keys('m/a'), ['m/a/1', 'm/a/2', 'm/ab']);
    assert.deepEqual(await keys('m/'), ['m/a/1', 'm/a/2', 'm/ab', 'm/b/1']);
    assert.deepEqual(await keys(), ['m/a/1', 'm/a/2', 'm/ab', 'm/b/1', 'z']);
    assert.deepEqual(await keys('nothing/'), []);
  });

  it('rejects keys that are not relative paths of plain segments', async () => {
    const bad = [
      '',
      '/abs',
      '../up',
      'a/../b',
      'a/./b',
      'a//b',
      'a/',
      '.hidden',
      'a\\b',
      'a\0b',
      'a b',
      'x'.repeat(1025),
    ];
    for (const key of bad) {
      await assert.rejects(store.put(key, Buffer.from('x')), withCode('validation_failed'), `put '${key}'`);
      await assert.rejects(store.get(key), withCode('validation_failed'), `get '${key}'`);
      await assert.rejects(store.getBuffer(key), withCode('validation_failed'));
      await assert.rejects(store.head(key), withCode('validation_failed'));
      await assert.rejects(store.delete(key), withCode('validation_failed'));
    }
    for (const prefix of ['/abs', '../../../src/adapters/', 'a/../', '.tmp/']) {
      await assert.rejects(listed(store.list(prefix)), withCode('validation_failed'), `list '${prefix}'`);
    }
    assert.deepEqual(await listed(store.list()), []);
  });

  for (const [label, bytes] of [
    ['at the start', 1000],
    ['after several megabytes', BIG_BYTES],
  ] as const) {
    it(`leaves nothing behind when the source fails ${label}`, async () => {
      const boom = new Error('client went away');
      await assert.rejects(store.put('up/x', failingStream(bytes, boom)), (error) => error === boom);
      assert.equal(await store.head('up/x'), undefined);
      assert.equal(await store.get('up/x'), undefined);
      assert.deepEqual(await listed(store.list()), []);
    });
  }

  it('keeps the old object when an overwrite fails midway', async () => {
    await store.put('keep/me', Buffer.from('original'));
    const boom = new Error('client went away');
    await assert.rejects(store.put('keep/me', failingStream(BIG_BYTES, boom)), (error) => error === boom);
    assert.equal((await store.getBuffer('keep/me'))?.toString(), 'original');
    assert.deepEqual(await listed(store.list()), [{ key: 'keep/me', size: 8 }]);
  });

  it('refuses a source larger than maxBytes and stores nothing', async () => {
    await assert.rejects(
      store.put('big/x', streamOf(big), { maxBytes: BIG_BYTES - 1 }),
      withCode('payload_too_large'),
    );
    await assert.rejects(
      store.put('small/x', Buffer.from('12345'), { maxBytes: 4 }),
      withCode('payload_too_large'),
    );
    assert.deepEqual(await listed(store.list()), []);
    assert.equal((await store.put('big/x', streamOf(big), { maxBytes: BIG_BYTES })).size, BIG_BYTES);
  });
};
