// A search answer's JSON, byte for byte what the route's compiled response serializer writes, with each hit's
// item written once per item object rather than on every answer that shows it: the indexed item objects are
// never changed (a catalog write replaces the object), and the items were most of an answer's serialization.
import type { Item, SearchResponse } from '@quiver/contracts';

type Serialize = (value: unknown) => string;

/** The JSON of an answer, or undefined when the answer is not one the writer handles (the caller serializes it). */
export type AnswerWriter = (answer: SearchResponse) => string | undefined;

const NO_HITS: SearchResponse['hits'] = [];
const EMPTY_HITS = '"hits":[]';
const AT_HITS = EMPTY_HITS.length - 1;

/**
 * `whole`: the response schema's serializer; `item`: the item schema's, compiled by the same compiler. Hits
 * with highlights or score parts, and scores that are not finite numbers, are left to `whole` (undefined).
 */
export const answerWriter = (whole: Serialize, item: Serialize): AnswerWriter => {
  const written = new WeakMap<Item, string>();
  const itemJson = (it: Item): string => {
    let json = written.get(it);
    if (json === undefined) {
      // The serializer's string is a rope of many small pieces, walked again by every answer that contains it
      // (Buffer.byteLength, the write); one flat copy is kept instead.
      json = Buffer.from(item(it)).toString();
      written.set(it, json);
    }
    return json;
  };
  return (answer) => {
    const hits = answer.hits;
    let list = '';
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
      list += `${i === 0 ? '' : ','}{"item":${itemJson(it)},"score":${score},"retrievers":[${names}]}`;
    }
    // The rest of the answer, with no hits, from the route's own serializer. An unescaped quote only delimits a
    // string, so the first `"hits":[]` is the key: `searchId`, `mode` and `total` come before it, all scalars.
    const rest = whole({ ...answer, hits: NO_HITS });
    const at = rest.indexOf(EMPTY_HITS);
    if (at < 0) return undefined;
    return rest.slice(0, at + AT_HITS) + list + rest.slice(at + AT_HITS);
  };
};
