// Compile-time tests of the SDK's types, checked by `npm run check` (tsc): each @ts-expect-error line must
// fail to compile, or tsc reports the directive as unused. types.test.ts also compiles this file without the
// directives and checks that every marked line fails.
import { createBrowserClient, createQuiver, type QuiverError } from '../src/index.ts';

const quiver = createQuiver({ baseUrl: 'http://localhost:8080', apiKey: 'k' });

export const typeChecks = async (): Promise<void> => {
  // Right: fields from the contracts.
  const item = await quiver.items.put('lamp', { title: 'Lamp', price: { amount: 1, currency: 'EUR' } });
  const version: number = item.version;
  // @ts-expect-error an item has no `name`: the field is `title`
  await quiver.items.put('lamp', { name: 'Lamp' });
  // @ts-expect-error price.amount is a number
  await quiver.items.put('lamp', { title: 'Lamp', price: { amount: '1', currency: 'EUR' } });
  // @ts-expect-error the answer has no `etag` field (ETags come from items.read)
  item.etag;
  // @ts-expect-error an event's quantity is a number
  await quiver.events.send([{ id: 'e', type: 'purchase', userId: 'u', itemId: 'i', quantity: 'two' }]);
  // @ts-expect-error search takes `query`, not `q`
  await quiver.search.query({ q: 'lamp' });
  // @ts-expect-error an unknown scenario
  await quiver.recommendations.get({ scenario: 'similar' });
  // @ts-expect-error scoped keys grant search/recommend only
  await quiver.keys.mintScoped('acme', { scopes: ['admin'] });
  // @ts-expect-error trainer kinds are a closed list
  await quiver.trainers.run('xgboost');
  // @ts-expect-error a rollout's steps are numbers
  await quiver.endpoints.rollouts.start('home', { candidate: { model: 'r', version: 2 }, steps: ['5'] });
  // @ts-expect-error OIP inputs need a shape
  await quiver.inference.infer('ranker', { inputs: [{ name: 'x', datatype: 'FP32', data: [1] }] });
  const browser = createBrowserClient({ baseUrl: 'http://localhost:8080', scopedKey: 'qs_x' });
  // @ts-expect-error the browser client cannot touch the catalog
  browser.items;
  const hits = (await browser.search.query({ query: 'lamp' })).hits;
  // @ts-expect-error a hit's item has no `name`
  hits[0].item.name;
  const codeOf = (e: QuiverError) => e.code;
  // @ts-expect-error codes are the contracts' catalogue, transport codes or http_<status>
  const wrong: ReturnType<typeof codeOf> = 'not_a_code';
  void [version, wrong];
};
