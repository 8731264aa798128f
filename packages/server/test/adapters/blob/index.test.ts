// openBlobStore: the URL scheme chooses the store, and an s3:// URL with the environment configures S3.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { FileBlobStore, openBlobStore, s3OptionsFromUrl } from '../../../src/adapters/blob/index.ts';

const base = mkdtempSync(join(tmpdir(), 'quiver-blob-index-'));
after(() => rmSync(base, { recursive: true, force: true }));

describe('openBlobStore', () => {
  it('keeps files under <dataDir>/blobs without a URL', async () => {
    const store = openBlobStore(undefined, join(base, 'data'));
    assert.equal(store.kind, 'file');
    await store.put('m/v1', Buffer.from('x'));
    assert.ok(existsSync(join(base, 'data', 'blobs', 'm', 'v1')));
  });

  it('keeps files where a file:// URL says', async () => {
    const store = openBlobStore(pathToFileURL(join(base, 'elsewhere')).href, '/unused');
    assert.ok(store instanceof FileBlobStore);
    assert.equal(store.root, join(base, 'elsewhere'));
  });

  it('opens S3 for s3:// and refuses other schemes', () => {
    assert.equal(openBlobStore('s3://bucket/p', base, { AWS_REGION: 'eu-west-1' }).kind, 's3');
    assert.throws(() => openBlobStore('gs://bucket', base), /unsupported ARTIFACTS_URL scheme/);
  });
});

describe('s3OptionsFromUrl', () => {
  it('reads bucket and prefix from the URL and the rest from the environment', () => {
    const env = {
      S3_ENDPOINT: 'http://127.0.0.1:9000',
      AWS_ACCESS_KEY_ID: 'id',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_REGION: 'eu-west-1',
    };
    assert.deepEqual(s3OptionsFromUrl('s3://artifacts/quiver/prod/', env), {
      bucket: 'artifacts',
      prefix: 'quiver/prod/',
      endpoint: 'http://127.0.0.1:9000',
      forcePathStyle: true,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'id', secretAccessKey: 'secret', sessionToken: undefined },
    });
  });

  it('defaults to AWS itself: no endpoint, virtual-hosted style, the SDK credential chain', () => {
    assert.deepEqual(s3OptionsFromUrl('s3://artifacts', {}), {
      bucket: 'artifacts',
      prefix: '',
      endpoint: undefined,
      forcePathStyle: false,
      region: 'us-east-1',
      credentials: undefined,
    });
    assert.throws(() => s3OptionsFromUrl('s3:///nobucket', {}), /not an s3:\/\/bucket/);
  });
});
