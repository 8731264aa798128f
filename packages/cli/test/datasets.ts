// Where the tests find the real dataset files (../shared/datasets), and what their first lines map to.
import { join, resolve } from 'node:path';

export const DATASETS = resolve(import.meta.dirname, '../../../../shared/datasets');
export const ONLINE_RETAIL = join(DATASETS, 'online-retail/online-retail.csv');

/** Line 2 of Online Retail (its first invoice line) as the purchase event the mapping makes of it. */
export const ONLINE_RETAIL_LINE_2 = {
  id: 'or-2',
  type: 'purchase',
  userId: '17850',
  sessionId: '536365',
  itemId: '85123A',
  quantity: 6,
  value: 15.3,
  timestamp: '2010-12-01T08:26:00Z',
  properties: { country: 'United Kingdom' },
};
