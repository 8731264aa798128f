// The demo shop: a generated catalogue and the first-start seeding.
export { DEMO_ITEM_COUNT, demoCatalog } from './catalog.ts';
export { CREDENTIALS_FILE, DEMO_TENANT_ID, type SeedResult, seed } from './seed.ts';
