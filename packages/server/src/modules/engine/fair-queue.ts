// Per-tenant request queues drained round-robin into batches of one shape, so no tenant starves another.
import { Fifo, type Queueable } from './fifo.ts';

export interface Queued extends Queueable {
  tenant: string;
  /** Requests with different keys (non-batch dims, datatypes) never share a batch. */
  shapeKey: string;
  rows: number;
}

interface TenantQueue<T extends Queued> {
  all: Fifo<T>;
  byShape: Map<string, Fifo<T>>;
  live: number;
}

/**
 * A batch is led by the next tenant in a ring: its oldest request fixes the batch's shape key, then the batch
 * is filled one request per tenant per pass (oldest first within each tenant) from tenants holding requests
 * of that shape. The next batch is led by the tenant after the last one served, so a tenant with a thousand
 * queued requests gets the same share of each batch as a tenant with one.
 */
export class FairQueue<T extends Queued> {
  private tenants = new Map<string, TenantQueue<T>>();
  private ring: string[] = [];
  private cursor = 0;
  private order = new Fifo<T>();
  private liveCount = 0;
  private liveRows = 0;

  /** Queued requests. */
  get size(): number {
    return this.liveCount;
  }

  /** Queued rows (a request may carry several). */
  get rows(): number {
    return this.liveRows;
  }

  countOf(tenant: string): number {
    return this.tenants.get(tenant)?.live ?? 0;
  }

  /** The request that has waited longest, over all tenants. */
  oldest(): T | undefined {
    return this.order.peek();
  }

  push(item: T): void {
    let q = this.tenants.get(item.tenant);
    if (!q) {
      q = { all: new Fifo(), byShape: new Map(), live: 0 };
      this.tenants.set(item.tenant, q);
      if (!this.ring.includes(item.tenant)) this.ring.push(item.tenant);
    }
    let shaped = q.byShape.get(item.shapeKey);
    if (!shaped) {
      shaped = new Fifo();
      q.byShape.set(item.shapeKey, shaped);
    }
    item.queued = true;
    q.all.push(item);
    shaped.push(item);
    this.order.push(item);
    q.live++;
    this.liveCount++;
    this.liveRows += item.rows;
  }

  /** Takes `item` out of the queue (expired, evicted); false when it was no longer queued. */
  remove(item: T): boolean {
    if (!item.queued) return false;
    item.queued = false;
    const q = this.tenants.get(item.tenant)!;
    q.live--;
    this.liveCount--;
    this.liveRows -= item.rows;
    if (q.byShape.get(item.shapeKey)?.isEmpty) q.byShape.delete(item.shapeKey);
    // The ring keeps the emptied tenant's slot until the next compaction, so indices stay valid mid-batch.
    if (q.live === 0) this.tenants.delete(item.tenant);
    if (this.liveCount === 0) this.order = new Fifo();
    return true;
  }

  /** The tenant holding the most queued requests, and its newest one: the victim when the queue is full. */
  largest(): { tenant: string; count: number; newest: T } | undefined {
    let best: [string, TenantQueue<T>] | undefined;
    for (const entry of this.tenants) if (!best || entry[1].live > best[1].live) best = entry;
    const newest = best?.[1].all.peekLast();
    return best && newest ? { tenant: best[0], count: best[1].live, newest } : undefined;
  }

  /**
   * Takes up to `maxRows` rows of one shape. The lead request is always taken (alone when it is larger than
   * `maxRows`, and even when `maxRows` is 0), so a batch is empty only when the queue is: whatever the rows
   * of the requests (zero included) and the limit, taking always makes progress. `drop` sees each candidate
   * first; when it returns true the request is removed and skipped (it expired).
   */
  takeBatch(maxRows: number, drop: (item: T) => boolean): T[] {
    const lead = this.leadHead(drop);
    if (!lead) return [];
    const batch: T[] = [];
    let rows = 0;
    maxRows = Math.max(1, maxRows);
    const n = this.ring.length;
    const start = this.cursor;
    const done = new Set<number>();
    let lastServed = start;
    for (let progress = true; progress && rows < maxRows; ) {
      progress = false;
      for (let k = 0; k < n && rows < maxRows; k++) {
        const idx = (start + k) % n;
        if (done.has(idx)) continue;
        const shaped = this.tenants.get(this.ring[idx])?.byShape.get(lead.shapeKey);
        let item = shaped?.peek();
        while (item && drop(item)) {
          this.remove(item);
          item = shaped?.peek();
        }
        if (!item || (batch.length > 0 && rows + item.rows > maxRows)) {
          done.add(idx);
          continue;
        }
        this.remove(item);
        batch.push(item);
        rows += item.rows;
        lastServed = idx;
        progress = true;
      }
    }
    this.cursor = (lastServed + 1) % n;
    return batch;
  }

  /** Oldest live request of the tenant at the cursor, skipping requests that `drop` removes. */
  private leadHead(drop: (item: T) => boolean): T | undefined {
    while (this.liveCount > 0) {
      this.compactRing();
      const head = this.tenants.get(this.ring[this.cursor])?.all.peek();
      if (!head) throw new Error('fair queue: the tenant at the cursor has no queued request');
      if (!drop(head)) return head;
      this.remove(head);
    }
    return undefined;
  }

  /** Forgets emptied tenants; the cursor moves to the first live tenant at or after it. */
  private compactRing(): void {
    const n = this.ring.length;
    let next: string | undefined;
    for (let k = 0; k < n && next === undefined; k++) {
      const t = this.ring[(this.cursor + k) % n];
      if (this.tenants.has(t)) next = t;
    }
    this.ring = this.ring.filter((t) => this.tenants.has(t));
    this.cursor = next === undefined ? 0 : this.ring.indexOf(next);
  }
}
