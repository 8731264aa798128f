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
  op?: string;
  version?: number;
}

export const startIndexSync = async (
  deps: { stream: Stream; indexes: TenantIndexes; onError?: (error: unknown) => void },
  options: { consumerName?: string } = {},
): Promise<Consumer> => {
  const handler = async (batch: readonly StreamMessage[]) => {
    const byTenant = new Map<string, ChangeMessage[]>();
    for (const message of batch) {
      const change = message.json<ChangeMessage>();
      if (typeof change?.tenantId !== 'string' || typeof change.itemId !== 'string') continue;
      const list = byTenant.get(change.tenantId) ?? [];
      list.push(change);
      byTenant.set(change.tenantId, list);
    }
    await Promise.all([...byTenant].map(([tenantId, changes]) => deps.indexes.refresh(tenantId, changes)));
  };
  return deps.stream.consume(options.consumerName ?? SEARCH_CONSUMER, FILTER, handler, {
    onError: deps.onError,
  });
};
