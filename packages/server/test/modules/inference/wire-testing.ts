// Client side of Triton's binary tensor data extension for tests: frames requests and reads answers as
// tritonclient does (JSON header, then each tensor's raw bytes; BYTES elements with 4-byte length prefixes).
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';

export interface Answer {
  status: number;
  headers: Record<string, unknown>;
  body: Buffer;
}

/**
 * One POST with exactly these headers (node adds only Host and Connection, as geventhttpclient does), the
 * whole body written before anything is read, as Triton's sync client does.
 */
export const post = (
  port: number,
  path: string,
  headers: Record<string, string>,
  body: Buffer,
): Promise<Answer> =>
  new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        headers: { ...headers, 'content-length': body.length },
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });

/** BYTES elements as the extension carries them: each a little-endian uint32 length, then the bytes. */
export const bytesElements = (elements: readonly (string | Uint8Array)[]): Buffer =>
  Buffer.concat(
    elements.flatMap((e) => {
      const bytes = typeof e === 'string' ? Buffer.from(e, 'utf8') : Buffer.from(e);
      const length = Buffer.alloc(4);
      length.writeUInt32LE(bytes.length);
      return [length, bytes];
    }),
  );

/** A request body: the JSON header (with `extra` merged in) followed by `raws`, and its headers. */
export const binaryRequest = (header: object, raws: readonly Buffer[], extra: object = {}) => {
  const json = Buffer.from(JSON.stringify({ ...header, ...extra }));
  return {
    body: Buffer.concat([json, ...raws]),
    headers: { 'inference-header-content-length': String(json.length) },
  };
};

export interface BinaryOutput {
  name: string;
  datatype: string;
  shape: number[];
  parameters?: { binary_data_size?: number };
  data?: unknown[];
}

/** Splits an answer as tritonclient's InferResult does: header by its length, then outputs' bytes in order. */
export const readBinaryResponse = (payload: Buffer, headers: Record<string, unknown>) => {
  const length = Number(headers['inference-header-content-length']);
  assert.ok(Number.isInteger(length), 'the answer has an Inference-Header-Content-Length');
  const header = JSON.parse(payload.subarray(0, length).toString('utf8')) as {
    id?: string;
    model_name: string;
    outputs: BinaryOutput[];
  };
  const buffers: Record<string, Buffer> = {};
  let offset = length;
  for (const o of header.outputs) {
    const size = o.parameters?.binary_data_size;
    if (size === undefined) continue;
    buffers[o.name] = payload.subarray(offset, offset + size);
    offset += size;
  }
  assert.equal(offset, payload.length, 'the outputs account for every byte');
  return { header, buffers };
};
