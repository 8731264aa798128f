// A FIFO with O(1) shift and lazy deletion: entries no longer `queued` are skipped, not searched for.

export interface Queueable {
  /** False once the entry left the queue (taken into a batch, expired, evicted); fifos then skip it. */
  queued: boolean;
}

/** Below this many dead slots at the front, shifting is just an index bump. */
const COMPACT_AFTER = 1024;

export class Fifo<T extends Queueable> {
  private items: T[] = [];
  private head = 0;

  push(item: T): void {
    this.items.push(item);
  }

  /** The oldest entry still queued, dropping dead ones in front of it. */
  peek(): T | undefined {
    while (this.head < this.items.length && !this.items[this.head].queued) this.head++;
    this.compact();
    return this.items[this.head];
  }

  /** The newest entry still queued, dropping dead ones behind it. */
  peekLast(): T | undefined {
    while (this.items.length > this.head && !this.items[this.items.length - 1].queued) this.items.pop();
    return this.items.length > this.head ? this.items[this.items.length - 1] : undefined;
  }

  get isEmpty(): boolean {
    return this.peek() === undefined;
  }

  private compact(): void {
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > COMPACT_AFTER && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
