// Server side of the storefront: mints a short-lived scoped key (search + recommend, in-stock items only)
// with the full SDK and prints the page's address. Never ship the tenant key itself to a browser.
import { createQuiver, type Quiver } from '@quiver/sdk';

export const STOREFRONT_TTL_S = 3600;

/** A key a browser may hold: search and recommend only, every request limited to available items. */
export const mintStorefrontKey = (quiver: Quiver, tenantId: string, userId?: string) =>
  quiver.keys.mintScoped(tenantId, {
    scopes: ['search', 'recommend'],
    filters: { available: true },
    expiresInS: STOREFRONT_TTL_S,
    ...(userId ? { userId } : {}),
  });

if (process.argv[1] === import.meta.filename) {
  const api = process.env.QUIVER_URL ?? 'http://localhost:8080';
  const key = process.env.QUIVER_KEY;
  if (!key)
    throw new Error('set QUIVER_KEY to a tenant key with admin scope (demo: data/credentials.json demoKey)');
  const scoped = await mintStorefrontKey(
    createQuiver({ baseUrl: api, apiKey: key }),
    process.env.QUIVER_TENANT ?? 'demo',
  );
  const page = process.env.STOREFRONT_URL ?? 'http://localhost:5173/';
  console.log(`${page}?api=${encodeURIComponent(api)}&key=${encodeURIComponent(scoped.secret)}`);
  console.log(`expires at ${scoped.expiresAt}`);
}
