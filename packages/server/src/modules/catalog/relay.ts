// Relays each tenant's catalog change feed (the item_changes table, written in the same transaction as the
// items: an outbox) onto the stream as `catalog.<tenantId>`, so consumers read catalog changes and events
// through one port. At-least-once: a message key per sequence number lets the stream drop repeats.
import type { SqlDatabase } from '../../adapters/sql/index.ts';
import { type Stream, tenantTopic } from '../../adapters/stream/index.ts';
import { createFailureRun } from '../../kernel/index.ts';
import { catalogRepository as repo } from './repository.ts';

export const CATALOG_TOPIC_FAMILY = 'catalog';
export const DEFAULT_RELAY_POLL_MS = 1000;
const RELAY_BATCH = 500;

export interface CatalogRelay {
  /** Asks for a pass soon (after a local write). */
  kick(): void;
  /** Resolves after a full pass that started after this call. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export const createCatalogRelay = (
  deps: {
    db: SqlDatabase;
    stream: Stream;
    /** A failed pass: the first of a run of failures, then at most once per `reportEveryMs` (with the count). */
    onError?: (error: unknown, failedPasses: number) => void;
    /** The first pass that succeeds after failures. */
    onRecover?: (failedPasses: number) => void;
  },
  /** `reportEveryMs`: while passes keep failing, how often one is reported (default DEFAULT_FAILURE_REPORT_MS). */
  options: { pollMs?: number; reportEveryMs?: number } = {},
): CatalogRelay => {
  const { db, stream } = deps;
  const failures = createFailureRun(options.reportEveryMs);
  let current: Promise<void> | undefined;
  let again = false;
  let closed = false;

  const relayTenant = async (tenantId: string) => {
    for (;;) {
      const from = await repo.relayedSeq(db, tenantId);
      const changes = await repo.listChanges(db, tenantId, from, RELAY_BATCH);
      if (changes.length === 0 || closed) return;
      await stream.publish(
        tenantTopic(CATALOG_TOPIC_FAMILY, tenantId),
        changes.map((c) => ({ key: `seq-${c.seq}`, data: { tenantId, ...c } })),
      );
      // Another replica may have relayed the same range: its messages had the same keys.
      await repo.advanceRelay(db, tenantId, from, changes[changes.length - 1].seq);
    }
  };

  const pass = (): Promise<void> => {
    if (closed) return Promise.resolve();
    if (current) {
      again = true;
      return current;
    }
    current = (async () => {
      try {
        for (const tenantId of await repo.tenantsBehind(db)) await relayTenant(tenantId);
        failures.recover(deps.onRecover);
      } catch (error) {
        // A stream outage fails every pass (one a second): say so when it starts, then now and then.
        failures.fail((n) => deps.onError?.(error, n));
      } finally {
        current = undefined;
        if (again && !closed) {
          again = false;
          void pass();
        }
      }
    })();
    return current;
  };

  const timer = setInterval(() => void pass(), options.pollMs ?? DEFAULT_RELAY_POLL_MS);
  timer.unref();
  return {
    kick: () => {
      if (!closed) setImmediate(() => void pass());
    },
    async flush() {
      await current;
      await pass();
    },
    async close() {
      closed = true;
      clearInterval(timer);
      await current;
    },
  };
};
