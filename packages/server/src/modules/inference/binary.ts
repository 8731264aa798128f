// Tensors as raw bytes, as Triton's binary tensor data extension carries them: little-endian elements, BOOL as
// one byte 0/1, FP16 as raw halves, BYTES as a little-endian uint32 length then the bytes, per element.
import { allocate, type Datatype, elementCount, type Tensor } from '../engine/index.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });
const fmt = (shape: readonly number[]) => `[${shape.join(', ')}]`;

/** A problem with a string element, as a phrase after "element i", or undefined when the engine can carry it. */
export const stringProblem = (s: string): string | undefined => {
  // onnxruntime string tensors end an element at NUL and replace lone surrogates: refuse rather than alter.
  if (!/[\0\ud800-\udfff]/.test(s)) return undefined;
  if (s.includes('\0')) return 'contains a NUL character, which onnxruntime string tensors cannot carry';
  if (/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s))
    return 'is not valid Unicode (a lone surrogate)';
  return undefined;
};

const decodeStrings = (name: string, shape: readonly number[], bytes: Buffer): Tensor | string => {
  const out: string[] = [];
  let at = 0;
  while (at < bytes.length) {
    const i = out.length;
    if (at + 4 > bytes.length)
      return `input '${name}' element ${i}'s length prefix runs past its ${bytes.length} bytes`;
    const length = bytes.readUInt32LE(at);
    at += 4;
    if (at + length > bytes.length)
      return `input '${name}' element ${i} (${length} bytes) runs past the end of its ${bytes.length} bytes`;
    let s: string;
    try {
      s = utf8.decode(bytes.subarray(at, at + length));
    } catch {
      return `input '${name}' element ${i} is not valid UTF-8; onnxruntime string tensors carry text only`;
    }
    const problem = stringProblem(s);
    if (problem) return `input '${name}' element ${i} ${problem}`;
    out.push(s);
    at += length;
  }
  const count = elementCount(shape);
  if (out.length !== count)
    return `input '${name}' has ${out.length} elements; shape ${fmt(shape)} needs ${count}`;
  return { datatype: 'BYTES', shape: [...shape], data: out };
};

/** One input from its raw bytes, or what is wrong with them. */
export const decodeRaw = (
  name: string,
  datatype: Datatype,
  shape: readonly number[],
  bytes: Buffer,
): Tensor | string => {
  if (datatype === 'BYTES') return decodeStrings(name, shape, bytes);
  // A copy: the body's bytes need not be aligned for the typed array, and the tensor gets a buffer of its own.
  type Numeric = Exclude<Tensor['data'], string[]>;
  const count = elementCount(shape);
  const need = count * (allocate(datatype, 0) as Numeric).BYTES_PER_ELEMENT;
  if (bytes.length !== need)
    return `input '${name}' has ${bytes.length} bytes; ${datatype} shape ${fmt(shape)} needs ${need}`;
  const data = allocate(datatype, count) as Numeric;
  new Uint8Array(data.buffer).set(bytes);
  if (datatype === 'BOOL') {
    const bad = (data as Uint8Array).findIndex((b) => b > 1);
    if (bad >= 0) return `input '${name}' element ${bad} is ${data[bad]}; BOOL needs 0 or 1`;
  }
  return { datatype, shape: [...shape], data };
};

/** The raw bytes of a tensor (a view where the storage already is the wire form). */
export const encodeRaw = (t: Tensor): Uint8Array => {
  const d = t.data;
  if (!Array.isArray(d)) return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  const parts = d.map((s) => Buffer.from(s, 'utf8'));
  const out = Buffer.allocUnsafe(parts.reduce((n, p) => n + 4 + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.writeUInt32LE(p.length, at);
    p.copy(out, at + 4);
    at += 4 + p.length;
  }
  return out;
};
