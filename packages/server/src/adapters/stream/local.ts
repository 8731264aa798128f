// The consumers running in this stream instance: one per name, restartable in place so `seek` can move a
// consumer while it runs.
import { QuiverError } from '../../kernel/errors.ts';
import type { Consumer } from './port.ts';

interface Entry {
  handle: Consumer;
  inner: Consumer;
  start: () => Consumer;
}

export class LocalConsumers {
  private readonly entries = new Map<string, Entry>();
  private closed = false;

  /** Throws if the name already runs here (checked before and after any setup). */
  claim(name: string): void {
    if (this.closed) throw new QuiverError('unavailable', 'the stream is closed');
    if (this.entries.has(name))
      throw new QuiverError('conflict', `consumer '${name}' is already running here`);
  }

  start(name: string, start: () => Consumer): Consumer {
    this.claim(name);
    const handle: Consumer = {
      name,
      stop: async () => {
        const entry = this.entries.get(name);
        if (entry?.handle !== handle) return;
        this.entries.delete(name);
        await entry.inner.stop();
      },
    };
    this.entries.set(name, { handle, inner: start(), start });
    return handle;
  }

  /** Runs `fn` with the named consumer stopped (if it runs here), then starts it again. */
  async whileStopped<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const entry = this.entries.get(name);
    if (entry) await entry.inner.stop();
    try {
      return await fn();
    } finally {
      if (entry && this.entries.get(name) === entry) entry.inner = entry.start();
    }
  }

  async stopAll(): Promise<void> {
    this.closed = true;
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(all.map((e) => e.inner.stop()));
  }
}
