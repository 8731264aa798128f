// A small catalog for the vectors tests: a few products from unrelated departments.
export const FIXTURE_ITEMS = [
  {
    id: 'sofa-1',
    title: 'Grey fabric sofa, three seater',
    categories: ['furniture/sofas'],
    brand: 'Nordhaus',
  },
  { id: 'sofa-2', title: 'Leather sofa bed', categories: ['furniture/sofas'], brand: 'Comfy' },
  { id: 'lamp-1', title: 'LED desk lamp', categories: ['lighting/lamps'], brand: 'Lumen' },
  {
    id: 'laptop-1',
    title: 'Laptop computer, 15 inch screen',
    categories: ['electronics/computers'],
    brand: 'Acer',
  },
  { id: 'shoe-1', title: 'Running shoes for men', categories: ['sports/footwear'], brand: 'Swift' },
  { id: 'tv-1', title: 'Television 55 inch', categories: ['electronics/tv'], brand: 'Vista' },
  { id: 'mug-1', title: 'Ceramic coffee mug', categories: ['kitchen/tableware'], brand: 'Terra' },
  { id: 'drill-1', title: 'Cordless power drill', categories: ['tools/drills'], brand: 'Forge' },
] as const;

export const putFixture = async (
  put: (id: string, item: object) => Promise<void>,
  items: ReadonlyArray<{ id: string }> = FIXTURE_ITEMS,
) => {
  for (const { id, ...item } of items) await put(id, item);
};
