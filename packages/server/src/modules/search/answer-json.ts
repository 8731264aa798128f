// A search answer's JSON as UTF-8 bytes, byte for byte what the route's compiled response serializer writes, with
// each hit's item encoded once per item object rather than on every answer that shows it: the indexed item objects
// are never changed (a catalog write replaces the object), and the items were most of an answer's serialization.
// Bytes, not a string: a string payload is measured (Buffer.byteLength) and encoded again on its way out, a Buffer
// is sent as it is.
import { type Item, ItemSchema, type SearchResponse } from '@quiver/contracts';
import type { FastifyReply } from 'fastify';

type Serialize = (value: unknown) => string;

/** The JSON of an answer, or undefined when the answer is not one the writer handles (the caller serializes it). */
export type AnswerWriter = (answer: SearchResponse) => Buffer | undefined;

const NO_HITS: SearchResponse['hits'] = [];
const EMPTY_HITS = '"hits":[]';
const AT_HITS = EMPTY_HITS.length - 1;
const ITEM_KEY = '{"item":';
/** Most bytes one UTF-16 code unit takes in UTF-8 (a surrogate pair: 4 bytes for 2 units). */
const MAX_UTF8_PER_UNIT = 3;
/**
 * Answers are written one after another into slabs of this size, each answer a slice, as Node's own buffer pool
 * does for small buffers (its pool takes nothing above 4 KiB, and an answer of ten items is ≈ 5 KiB): a new
 * ArrayBuffer per answer was ≈ 2% of a keyword request's main thread. A slab lives while any answer in it is
 * still being sent.
 */
const SLAB_BYTES = 64 * 1024;
/** An answer that may need more than this gets its own buffer. */
const SLAB_MAX_ANSWER = SLAB_BYTES / 4;

/**
 * `whole`: the response schema's serializer; `item`: the item schema's, compiled by the same compiler. Hits
 * with highlights or score parts, and scores that are not finite numbers, are left to `whole` (undefined).
 */
export const answerWriter = (whole: Serialize, item: Serialize): AnswerWriter => {
  const written = new WeakMap<Item, Buffer>();
  const itemBytes = (it: Item): Buffer => {
    let bytes = written.get(it);
    if (bytes === undefined) {
      // Its own memory, not a slice of Node's shared pool (which a kept slice would hold whole).
      const json = item(it);
      bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(json));
      bytes.write(json);
      written.set(it, bytes);
    }
    return bytes;
  };
  // Per answer, reused: the text before each hit's item (`glue[i]`) and the item's bytes (`items[i]`).
  const glue: string[] = [];
  const items: Buffer[] = [];
  let slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
  let used = 0;
  /** Room for `need` bytes: the rest of the current slab, a new slab, or (a large answer) its own buffer. */
  const room = (need: number): Buffer => {
    if (need > SLAB_MAX_ANSWER) return Buffer.allocUnsafeSlow(need);
    if (used + need > SLAB_BYTES) {
      slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
      used = 0;
    }
    return slab.subarray(used);
  };
  return (answer) => {
    const hits = answer.hits;
    let before = ITEM_KEY;
    let textUnits = 0;
    let itemBytesTotal = 0;
    for (let i = 0; i < hits.length; i++) {
      const { item: it, score, retrievers, highlights, scoreParts } = hits[i];
      if (highlights !== undefined || scoreParts !== undefined) return undefined;
      if (typeof it !== 'object' || it === null || !Array.isArray(retrievers)) return undefined;
      // The serializer writes a number as '' + n, Infinity as null and refuses NaN: only finite ones here.
      if (typeof score !== 'number' || !Number.isFinite(score)) return undefined;
      let names = '';
      for (let r = 0; r < retrievers.length; r++) {
        if (typeof retrievers[r] !== 'string') return undefined;
        names += (r === 0 ? '' : ',') + JSON.stringify(retrievers[r]);
      }
      const bytes = itemBytes(it);
      glue[i] = before;
      items[i] = bytes;
      textUnits += before.length;
      itemBytesTotal += bytes.length;
      before = `,"score":${score},"retrievers":[${names}]},${ITEM_KEY}`;
    }
    // The rest of the answer, with no hits, from the route's own serializer. An unescaped quote only delimits a
    // string, so the first `"hits":[]` is the key: `searchId`, `mode` and `total` come before it, all scalars.
    const rest = whole({ ...answer, hits: NO_HITS });
    const at = rest.indexOf(EMPTY_HITS) + AT_HITS;
    if (at < AT_HITS) return undefined;
    // The hits' closing text: the last `before` without its next item's opening.
    const last = hits.length === 0 ? '' : before.slice(0, before.length - ITEM_KEY.length - 1);
    textUnits += rest.length + last.length;
    const out = room(itemBytesTotal + MAX_UTF8_PER_UNIT * textUnits);
    let end = out.write(rest.slice(0, at), 0);
    for (let i = 0; i < hits.length; i++) {
      end += out.write(glue[i], end);
      out.set(items[i], end);
      end += items[i].length;
    }
    end += out.write(last, end);
    end += out.write(rest.slice(at), end);
    glue.length = 0;
    items.length = 0;
    // The next answer starts after this one's bytes, 8-aligned (a standalone buffer leaves the slab as it is).
    if (out.buffer === slab.buffer) used += (end + 7) & ~7;
    return out.subarray(0, end);
  };
};

/**
 * The writer for a route whose 200 response is SearchResponseSchema, from the route's own serializers (the app's
 * compiler), so its bytes are what Fastify would have sent.
 */
export const routeAnswerWriter = (
  reply: Pick<FastifyReply, 'getSerializationFunction' | 'compileSerializationSchema'>,
): AnswerWriter =>
  answerWriter(
    reply.getSerializationFunction('200') as Serialize,
    reply.compileSerializationSchema(ItemSchema as unknown as Record<string, unknown>, '200') as Serialize,
  );
