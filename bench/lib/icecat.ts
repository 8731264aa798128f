// The chorus-icecat product corpus as benchmarks read it (ICECAT_DIR overrides where), and the catalog items
// they import from it (fields cut to the catalog's limits).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

export const ICECAT_DIR =
  process.env.ICECAT_DIR ?? join(import.meta.dirname, '../../../shared/datasets/chorus-icecat');

export interface IcecatProduct {
  id: string;
  title: string;
  text?: string;
  brand?: string;
}

export const readIcecatProducts = (dir = ICECAT_DIR): IcecatProduct[] =>
  gunzipSync(readFileSync(join(dir, 'corpus.jsonl.gz')))
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as IcecatProduct);

/** A product as a catalog item for POST /v1/items/batch. */
export const icecatItem = (p: IcecatProduct) => ({
  id: p.id,
  title: p.title.slice(0, 500),
  ...(p.text ? { description: p.text.slice(0, 20_000) } : {}),
  ...(p.brand ? { brand: p.brand.slice(0, 200) } : {}),
});
