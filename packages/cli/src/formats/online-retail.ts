// The UCI Online Retail file: one purchase per invoice line, cancellations as their own event type.
import type { QuiverEvent } from '@quiver/contracts';
import { type CsvFormat, money, skip, toId } from './types.ts';

export const ONLINE_RETAIL_CURRENCY = 'GBP';
export const CANCELLATION_TYPE = 'custom:cancellation';

/** `2010-12-01 08:26:00` is UK shop time with no zone; it is read as UTC (off by one hour in summer). */
const toTimestamp = (date: string): string => `${date.trim().replace(' ', 'T')}Z`;

/**
 * - user: CustomerID without its `.0`; a blank one (a guest checkout, a quarter of the lines) becomes
 *   `guest-<InvoiceNo>`, one anonymous user per invoice, so item popularity still counts the sale.
 * - invoices starting with C are cancellations: `custom:cancellation` with a positive quantity and value.
 * - skipped: A invoices (bad-debt adjustments) and other lines with quantity ≤ 0 or a negative price
 *   (stock write-offs such as "damaged", none with a customer).
 * - event id `or-<line number>`, so a re-import is idempotent.
 */
export const onlineRetail: CsvFormat = {
  name: 'online-retail',
  kind: 'csv',
  columns: [
    'InvoiceNo',
    'StockCode',
    'Description',
    'Quantity',
    'InvoiceDate',
    'UnitPrice',
    'CustomerID',
    'Country',
  ],
  map([invoice, stockCode, description, quantityText, date, priceText, customer, country], line) {
    const quantity = Number(quantityText);
    const price = Number(priceText);
    if (!Number.isFinite(quantity) || !Number.isFinite(price)) return skip('unreadable number');
    if (invoice.startsWith('A')) return skip('adjustment');
    const cancelled = invoice.startsWith('C');
    if (!cancelled && (quantity <= 0 || price < 0)) return skip('not a sale');
    const itemId = toId(stockCode);
    const units = Math.abs(quantity);
    const userId = customer.trim() ? customer.trim().replace(/\.0$/, '') : `guest-${invoice}`;
    const event: QuiverEvent = {
      id: `or-${line}`,
      type: cancelled ? CANCELLATION_TYPE : 'purchase',
      userId,
      sessionId: invoice,
      itemId,
      quantity: units,
      value: money(units * Math.abs(price)),
      timestamp: toTimestamp(date),
      ...(country ? { properties: { country } } : {}),
    };
    const title = description.trim() || stockCode.trim();
    return {
      events: [event],
      items: [
        {
          id: itemId,
          title: title.slice(0, 500),
          price: { amount: Math.abs(price), currency: ONLINE_RETAIL_CURRENCY },
        },
      ],
    };
  },
};
