// Chooses the blob store from a URL: s3://bucket/prefix → S3, file://path or none → files under the data dir.
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Adapter, openAdapter } from '../open.ts';
import { FileBlobStore } from './file.ts';
import type { BlobStore } from './port.ts';
import { S3BlobStore, type S3BlobStoreOptions } from './s3.ts';

export { FileBlobStore, type FileBlobStoreOptions } from './file.ts';
export { assertKey, MAX_KEY_BYTES } from './keys.ts';
export type { BlobEntry, BlobHead, BlobSource, BlobStore, PutOptions, PutResult } from './port.ts';
export { S3BlobStore, type S3BlobStoreOptions } from './s3.ts';

export const EMBEDDED_BLOB_DIR = 'blobs';
export const DEFAULT_S3_REGION = 'us-east-1';

/**
 * `s3://bucket/prefix` plus the standard variables: `AWS_ENDPOINT_URL` (or `S3_ENDPOINT`) for an
 * S3-compatible server, which also turns on path-style addressing; `AWS_REGION`; `AWS_ACCESS_KEY_ID`,
 * `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN` (without them the SDK's default credential chain applies).
 */
export const s3OptionsFromUrl = (url: string, env: NodeJS.ProcessEnv = process.env): S3BlobStoreOptions => {
  const parsed = new URL(url);
  if (parsed.protocol !== 's3:' || !parsed.hostname)
    throw new Error(`not an s3://bucket/prefix URL: '${url}'`);
  const path = decodeURIComponent(parsed.pathname).replace(/^\/+|\/+$/g, '');
  const endpoint = env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || env.S3_ENDPOINT || undefined;
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey } = env;
  return {
    bucket: parsed.hostname,
    prefix: path ? `${path}/` : '',
    endpoint,
    forcePathStyle: endpoint !== undefined,
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || DEFAULT_S3_REGION,
    credentials:
      accessKeyId && secretAccessKey
        ? { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN || undefined }
        : undefined,
  };
};

/**
 * The default blob directory as an explicit `file://` URL: for a single server, or tests, on a shared
 * database (replicas need a directory they all mount, or S3).
 */
export const localArtifactsUrl = (dataDir: string): string =>
  pathToFileURL(join(dataDir, EMBEDDED_BLOB_DIR)).href;

/** `s3://…` → S3; `file:///abs/path` or `file://rel/path` → files there; none → `<dataDir>/blobs`. */
export const blobAdapter: Adapter<BlobStore> = {
  variable: 'ARTIFACTS_URL',
  schemes: {
    s3: (url, { env }) => new S3BlobStore(s3OptionsFromUrl(url, env)),
    file: (url) =>
      new FileBlobStore({
        root: url.startsWith('file:///') ? fileURLToPath(url) : url.slice('file://'.length),
      }),
  },
  embedded: ({ dataDir }) => new FileBlobStore({ root: join(dataDir, EMBEDDED_BLOB_DIR) }),
};

/** Opens the blob store `url` names (see blobAdapter). */
export const openBlobStore = (
  url: string | undefined,
  dataDir: string,
  env: NodeJS.ProcessEnv = process.env,
): BlobStore => openAdapter(blobAdapter, url, { dataDir, env });
