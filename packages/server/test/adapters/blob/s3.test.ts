// The S3 blob store against the contract, on an s3rver the test starts on a free loopback port.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { openBlobStore } from '../../../src/adapters/blob/index.ts';
import { MIN_PART_SIZE_BYTES, S3BlobStore } from '../../../src/adapters/blob/s3.ts';
import { blobStoreContract } from './contract.ts';

const BUCKET = 'quiver-test';
// s3rver's built-in account.
const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const directory = mkdtempSync(join(tmpdir(), 'quiver-blob-s3-'));
const server = new S3rver({ address: '127.0.0.1', port: 0, directory, silent: true });
let endpoint = '';

before(async () => {
  const { port } = await server.run();
  endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true, credentials });
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  client.destroy();
});

after(async () => {
  await server.close();
  rmSync(directory, { recursive: true, force: true });
});

// Each store gets its own key prefix, so tests never see each other's objects.
const fresh = () =>
  new S3BlobStore({
    bucket: BUCKET,
    prefix: `run-${randomUUID()}/`,
    endpoint,
    region: 'us-east-1',
    credentials,
    partSizeBytes: MIN_PART_SIZE_BYTES,
  });

describe('S3BlobStore contract', () => {
  blobStoreContract(async () => fresh());
});

describe('S3BlobStore', () => {
  it('is opened from an s3:// URL with the endpoint and credentials from the environment', async () => {
    const env = { AWS_ENDPOINT_URL: endpoint, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };
    const prefix = `url-${randomUUID()}`;
    const store = openBlobStore(`s3://${BUCKET}/${prefix}`, '/unused', env);
    assert.equal(store.kind, 's3');
    await store.put('x/y', Buffer.from('via url'));
    await store.close();
    const direct = new S3BlobStore({
      bucket: BUCKET,
      prefix: `${prefix}/x/`,
      endpoint,
      region: 'us-east-1',
      credentials,
    });
    assert.equal((await direct.getBuffer('y'))?.toString(), 'via url');
    await direct.close();
  });

  it('reports an unreachable bucket as unavailable', async () => {
    const store = new S3BlobStore({ bucket: 'no-such-bucket', endpoint, region: 'us-east-1', credentials });
    await assert.rejects(
      store.put('k', Buffer.from('x')),
      (e: Error & { code?: string }) => e.code === 'unavailable',
    );
    await store.close();
  });
});
