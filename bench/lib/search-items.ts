// Deterministic generated catalog items and queries for the search benchmark (varied words, brands,
// categories, prices and attributes, so postings and facets have realistic spread).

const ADJ =
  'red blue green black white oak walnut brass copper steel linen wool velvet compact large small wireless portable vintage modern classic rustic'.split(
    ' ',
  );
const NOUN =
  'lamp sofa chair table desk shelf rug mirror clock vase kettle teapot speaker headphones keyboard monitor mouse charger cable backpack jacket boots scarf candle pillow blanket'.split(
    ' ',
  );
const BRAND = 'Northwind Acme Sonic Nordic Lumen Oakline Vertex Harbor Pinecrest Solace'.split(' ');
const CATEGORY = [
  'home/lighting',
  'home/furniture',
  'home/decor',
  'electronics/audio',
  'electronics/computers',
  'fashion/outerwear',
  'fashion/footwear',
  'kitchen/tea',
];
const FILLER =
  'made from durable materials with a clean finish suitable for everyday use and easy to care for designed to last'.split(
    ' ',
  );

const rng = (seed: number) => () => {
  seed = (seed * 1664525 + 1013904223) >>> 0;
  return seed / 2 ** 32;
};

export const generatedItems = (count: number) => {
  const r = rng(42);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  return Array.from({ length: count }, (_, i) => {
    const noun = pick(NOUN);
    return {
      id: `gen-${i}`,
      title: `${pick(ADJ)} ${pick(ADJ)} ${noun} ${pick(BRAND)} model ${i % 997}`,
      description: Array.from({ length: 12 }, () => pick(FILLER)).join(' ') + ` ${noun}`,
      brand: pick(BRAND),
      categories: [pick(CATEGORY)],
      price: { amount: Math.round(5 + r() * 500), currency: 'EUR' },
      available: r() > 0.1,
      attributes: { colour: pick(ADJ.slice(0, 5)), rating: Math.round(r() * 50) / 10 },
    };
  });
};

/** A hand-picked set of typical shopper queries: whole words, two-word phrases, fragments typed so far, and typos. */
export const QUERIES = [
  'lamp',
  'oak table',
  'wireless headphones',
  'brass lamp',
  'velvet sofa',
  'vintage clock',
  'copper kettle',
  'portable speaker',
  'linen pillow',
  'wool scarf',
  'kettl',
  'headph',
  'monit',
  'backpak',
  'headphnes',
  'Northwind chair',
  'modern desk',
  'rustic shelf',
  'black boots',
  'teapot',
];

/** One edit in a word of 5+ letters: a letter dropped, doubled, swapped with the next, or replaced. */
const typo = (word: string, r: () => number): string => {
  if (word.length < 5) return word;
  const i = 1 + Math.floor(r() * (word.length - 2));
  switch (Math.floor(r() * 4)) {
    case 0:
      return word.slice(0, i) + word.slice(i + 1);
    case 1:
      return word.slice(0, i) + word[i] + word.slice(i);
    case 2:
      return word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
    default:
      return word.slice(0, i) + 'aeiou'[Math.floor(r() * 5)] + word.slice(i + 1);
  }
};

/**
 * `count` distinct queries drawn from the generated items' vocabulary (so response caches do not make a
 * run trivial): words, adjective + noun and brand + noun phrases, fragments of the last word as typed so
 * far, and one-typo words; deterministic.
 */
export const generatedQueries = (count: number): string[] => {
  const r = rng(7);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  const fragment = (w: string) => w.slice(0, Math.min(w.length, 3 + Math.floor(r() * 3)));
  const kinds = [
    () => pick(NOUN),
    () => `${pick(ADJ)} ${pick(NOUN)}`,
    () => `${pick(BRAND)} ${pick(NOUN)}`,
    () => `${pick(ADJ)} ${pick(ADJ)} ${pick(NOUN)}`,
    () => `${pick(ADJ)} ${fragment(pick(NOUN))}`,
    () => fragment(pick(NOUN)),
    () => typo(pick(NOUN), r),
    () => `${pick(ADJ)} ${typo(pick(NOUN), r)}`,
  ];
  const out = new Set<string>(QUERIES);
  while (out.size < count) out.add(pick(kinds)());
  return [...out].slice(0, count);
};
