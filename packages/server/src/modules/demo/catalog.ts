// A plausible demo catalogue generated in code: a few hundred home, kitchen and outdoor items.
import type { BatchItem } from '@quiver/contracts';

interface Family {
  category: string;
  nouns: string[];
  priceRange: [number, number];
  materials: string[];
}

const FAMILIES: Family[] = [
  {
    category: 'home/lighting/lamps',
    nouns: ['Table Lamp', 'Floor Lamp', 'Desk Lamp', 'Pendant Light'],
    priceRange: [19, 189],
    materials: ['brass', 'oak', 'glass', 'steel'],
  },
  {
    category: 'home/textiles/cushions',
    nouns: ['Cushion Cover', 'Throw Pillow', 'Floor Cushion'],
    priceRange: [9, 49],
    materials: ['linen', 'velvet', 'cotton', 'wool'],
  },
  {
    category: 'home/textiles/blankets',
    nouns: ['Throw Blanket', 'Knitted Blanket', 'Picnic Blanket'],
    priceRange: [24, 120],
    materials: ['wool', 'cotton', 'cashmere'],
  },
  {
    category: 'kitchen/cookware/pans',
    nouns: ['Frying Pan', 'Saute Pan', 'Grill Pan', 'Wok'],
    priceRange: [22, 160],
    materials: ['cast iron', 'stainless steel', 'carbon steel'],
  },
  {
    category: 'kitchen/tableware/mugs',
    nouns: ['Mug', 'Espresso Cup', 'Tea Cup'],
    priceRange: [6, 28],
    materials: ['stoneware', 'porcelain', 'enamel'],
  },
  {
    category: 'kitchen/storage/jars',
    nouns: ['Storage Jar', 'Spice Jar Set', 'Bread Bin'],
    priceRange: [8, 55],
    materials: ['glass', 'bamboo', 'ceramic'],
  },
  {
    category: 'garden/outdoor/planters',
    nouns: ['Planter', 'Hanging Basket', 'Window Box'],
    priceRange: [12, 89],
    materials: ['terracotta', 'zinc', 'rattan'],
  },
  {
    category: 'garden/lighting/lanterns',
    nouns: ['Solar Lantern', 'String Lights', 'Candle Lantern'],
    priceRange: [14, 79],
    materials: ['metal', 'glass', 'bamboo'],
  },
  {
    category: 'stationery/paper/notebooks',
    nouns: ['Notebook', 'Sketchbook', 'Planner'],
    priceRange: [5, 32],
    materials: ['recycled paper', 'leather', 'linen'],
  },
  {
    category: 'toys/games/puzzles',
    nouns: ['Jigsaw Puzzle', 'Wooden Puzzle', 'Card Game'],
    priceRange: [7, 45],
    materials: ['cardboard', 'beech', 'paper'],
  },
];

const ADJECTIVES = [
  'Nordic',
  'Vintage',
  'Classic',
  'Rustic',
  'Modern',
  'Coastal',
  'Botanical',
  'Minimal',
  'Heritage',
  'Scandi',
];
const COLOURS = ['white', 'black', 'sage', 'navy', 'ochre', 'terracotta', 'grey', 'natural', 'blush', 'teal'];
const BRANDS = ['Hearth & Co', 'Northwind', 'Little Acre', 'Juniper Lane', 'Copper Kettle', 'Fieldhouse'];

/** A small deterministic generator (mulberry32), so the demo shop is the same on every machine. */
export const demoRandom = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

export const DEMO_ITEM_COUNT = 300;

export const demoCatalog = (count = DEMO_ITEM_COUNT): BatchItem[] => {
  const rnd = demoRandom(42);
  const pick = <T>(list: T[]): T => list[Math.floor(rnd() * list.length)];
  return Array.from({ length: count }, (_, i) => {
    const family = FAMILIES[i % FAMILIES.length];
    const noun = pick(family.nouns);
    const adjective = pick(ADJECTIVES);
    const colour = pick(COLOURS);
    const material = pick(family.materials);
    const [lo, hi] = family.priceRange;
    const price = Math.round((lo + rnd() * (hi - lo)) * 100) / 100 - 0.01;
    return {
      id: `SKU-${String(10_000 + i)}`,
      title: `${adjective} ${colour[0].toUpperCase()}${colour.slice(1)} ${noun}`,
      description: `A ${colour} ${noun.toLowerCase()} in ${material}, ${adjective.toLowerCase()} in style.`,
      categories: [family.category],
      brand: pick(BRANDS),
      price: { amount: Math.max(0.99, Number(price.toFixed(2))), currency: 'GBP' },
      available: rnd() > 0.1,
      attributes: { colour, material, rating: Math.round((3 + rnd() * 2) * 10) / 10 },
    };
  });
};
