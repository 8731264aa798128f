// Keeps the tenant indexes in step with the catalog: a durable stream consumer over `catalog.>` (the
// catalog relay's outbox topics) re-reads each changed item. Handling is idempotent (it reads the item's
// current state), so redelivery is harmless and a deleted item is removed however often its changes replay.
import type { Consumer, Stream, StreamMessage } from '../../adapters/stream/index.ts';
import type { TenantIndexes } from './tenant-index.ts';

export const SEARCH_CONSUMER = 'search';
const FILTER = 'catalog.>';

interface ChangeMessage {
  tenantId: string;
  itemId: string;
}

export const startIndexSync = async (
  deps: { stream: Stream; indexes: TenantIndexes; onError?: (error: unknown) => void },
  options: { consumerName?: string } = {},
): Promise<Consumer> => {
  const handler = async (batch: readonly StreamMessage[]) => {
    const byTenant = new Map<string, string[]>();
    for (const message of batch) {
      const change = message.json<ChangeMessage>();
      if (typeof change?.tenantId !== 'string' || typeof change.itemId !== 'string') continue;
      byTenant.set(change.tenantId, [...(byTenant.get(change.tenantId) ?? []), change.itemId]);
    }
    await Promise.all([...byTenant].map(([tenantId, ids]) => deps.indexes.refresh(tenantId, ids)));
  };
  return deps.stream.consume(options.consumerName ?? SEARCH_CONSUMER, FILTER, handler, {
    onError: deps.onError,
  });
};
