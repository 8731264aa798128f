// Generic JSONL: one Quiver event per line, sent as it is (the server validates it).
import type { QuiverEvent } from '@quiver/contracts';
import { type JsonlFormat, skip } from './types.ts';

/**
 * A line without an `id` gets `jsonl-<line number>` so that a re-import stays idempotent. Items are not
 * created: a bare event says nothing about its item, and a placeholder would overwrite a real catalog entry.
 */
export const jsonl: JsonlFormat = {
  name: 'jsonl',
  kind: 'jsonl',
  sniff: (value) => typeof value === 'object' && value !== null && 'type' in value,
  map(value, line) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return skip('not an object');
    const event = value as QuiverEvent;
    return { events: [event.id === undefined ? { ...event, id: `jsonl-${line}` } : event], items: [] };
  },
};
