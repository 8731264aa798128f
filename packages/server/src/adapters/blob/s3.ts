// Distributed blob store: S3 or an S3-compatible server through @aws-sdk/client-s3. A source that fits in one
// part is one PutObject; a larger one is a multipart upload, completed only once the source has ended and
// aborted on any failure, so an object appears whole or not at all. At most one part is held in memory.

import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  type CompletedPart,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { QuiverError } from '../../kernel/index.ts';
import { assertKey, assertPrefix } from './keys.ts';
import type { BlobEntry, BlobHead, BlobSource, BlobStore, PutOptions, PutResult } from './port.ts';
import { chunksOf, storage, Tally } from './tally.ts';

export const DEFAULT_PART_SIZE_BYTES = 8 * 1024 * 1024;
/** S3's floor for every part but the last. */
export const MIN_PART_SIZE_BYTES = 5 * 1024 * 1024;
export const MAX_PARTS = 10_000;

export interface S3BlobStoreOptions {
  bucket: string;
  /** Prepended to every key: '' or ending with '/'. */
  prefix?: string;
  endpoint?: string;
  region: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  forcePathStyle?: boolean;
  partSizeBytes?: number;
}

const WHEN_REQUIRED = {
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
} as const;

interface Upload {
  id: string;
  parts: CompletedPart[];
}

const isAbsent = (error: unknown): boolean => {
  const name = (error as { name?: string } | undefined)?.name;
  return name === 'NoSuchKey' || name === 'NotFound';
};

const orAbsent = <T>(call: Promise<T>): Promise<T | undefined> =>
  call.catch((error) => {
    if (isAbsent(error)) return undefined;
    throw error;
  });

export class S3BlobStore implements BlobStore {
  readonly kind = 's3' as const;
  readonly bucket: string;
  readonly prefix: string;
  private readonly client: S3Client;
  private readonly partSize: number;

  constructor(options: S3BlobStoreOptions) {
    this.bucket = options.bucket;
    this.prefix = options.prefix ?? '';
    if (this.prefix !== '') assertPrefix(this.prefix);
    this.partSize = Math.max(options.partSizeBytes ?? DEFAULT_PART_SIZE_BYTES, MIN_PART_SIZE_BYTES);
    this.client = new S3Client({
      region: options.region,
      endpoint: options.endpoint,
      forcePathStyle: options.forcePathStyle ?? options.endpoint !== undefined,
      credentials: options.credentials,
      // S3-compatible servers often lack the SDK's default checksums (s3rver stores an aws-chunked body
      // as is), so with a custom endpoint they are sent only where an operation requires them.
      ...(options.endpoint === undefined ? {} : WHEN_REQUIRED),
    });
  }

  async put(key: string, source: BlobSource, options: PutOptions = {}): Promise<PutResult> {
    assertKey(key);
    const Key = this.prefix + key;
    const tally = new Tally(key, options.maxBytes);
    let upload: Upload | undefined;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    try {
      for await (const chunk of chunksOf(source)) {
        pending.push(tally.add(chunk));
        pendingBytes += chunk.length;
        if (pendingBytes < this.partSize) continue;
        upload ??= await this.startUpload(Key, options.contentType);
        await this.uploadPart(Key, upload, Buffer.concat(pending));
        pending = [];
        pendingBytes = 0;
      }
      const rest = Buffer.concat(pending);
      if (upload) {
        if (rest.length > 0) await this.uploadPart(Key, upload, rest);
        await this.completeUpload(Key, upload);
      } else {
        const put = {
          Bucket: this.bucket,
          Key,
          Body: rest,
          ContentLength: rest.length,
          ContentType: options.contentType,
        };
        await storage(`store '${key}'`, () => this.client.send(new PutObjectCommand(put)));
      }
      return tally.result();
    } catch (error) {
      // Best effort: an upload never completed never becomes an object either way. (s3rver answers 405 to
      // AbortMultipartUpload; on S3 a bucket rule AbortIncompleteMultipartUpload reclaims what a crash leaves.)
      if (upload)
        await this.client
          .send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId: upload.id }))
          .catch(() => {});
      throw error;
    }
  }

  private startUpload(Key: string, ContentType: string | undefined): Promise<Upload> {
    return storage(`start an upload of '${Key}'`, async () => {
      const out = await this.client.send(
        new CreateMultipartUploadCommand({ Bucket: this.bucket, Key, ContentType }),
      );
      if (!out.UploadId) throw new Error('CreateMultipartUpload returned no UploadId');
      return { id: out.UploadId, parts: [] };
    });
  }

  private async uploadPart(Key: string, upload: Upload, Body: Buffer): Promise<void> {
    if (upload.parts.length >= MAX_PARTS) {
      throw new QuiverError('payload_too_large', `blob '${Key}' needs more than ${MAX_PARTS} parts`);
    }
    const PartNumber = upload.parts.length + 1;
    const out = await storage(`upload part ${PartNumber} of '${Key}'`, () =>
      this.client.send(
        new UploadPartCommand({
          Bucket: this.bucket,
          Key,
          UploadId: upload.id,
          PartNumber,
          Body,
          ContentLength: Body.length,
        }),
      ),
    );
    upload.parts.push({ PartNumber, ETag: out.ETag });
  }

  private async completeUpload(Key: string, upload: Upload): Promise<void> {
    await storage(`complete the upload of '${Key}'`, () =>
      this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key,
          UploadId: upload.id,
          MultipartUpload: { Parts: upload.parts },
        }),
      ),
    );
  }

  async get(key: string): Promise<Readable | undefined> {
    assertKey(key);
    const command = new GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + key });
    const out = await storage(`read '${key}'`, () => orAbsent(this.client.send(command)));
    return out?.Body as Readable | undefined;
  }

  async getBuffer(key: string): Promise<Buffer | undefined> {
    assertKey(key);
    const command = new GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + key });
    return storage(`read '${key}'`, async () => {
      const out = await orAbsent(this.client.send(command));
      return out?.Body ? Buffer.from(await out.Body.transformToByteArray()) : undefined;
    });
  }

  async head(key: string): Promise<BlobHead | undefined> {
    assertKey(key);
    const command = new HeadObjectCommand({ Bucket: this.bucket, Key: this.prefix + key });
    const out = await storage(`read '${key}'`, () => orAbsent(this.client.send(command)));
    return out ? { size: out.ContentLength ?? 0 } : undefined;
  }

  async delete(key: string): Promise<void> {
    assertKey(key);
    const command = new DeleteObjectCommand({ Bucket: this.bucket, Key: this.prefix + key });
    await storage(`delete '${key}'`, () => this.client.send(command));
  }

  async *list(prefix = ''): AsyncIterable<BlobEntry> {
    assertPrefix(prefix);
    let token: string | undefined;
    do {
      const command = new ListObjectsV2Command({
        Bucket: this.bucket,
        Prefix: this.prefix + prefix,
        ContinuationToken: token,
      });
      const page = await storage(`list '${prefix}'`, () => this.client.send(command));
      for (const item of page.Contents ?? []) {
        if (item.Key) yield { key: item.Key.slice(this.prefix.length), size: item.Size ?? 0 };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
