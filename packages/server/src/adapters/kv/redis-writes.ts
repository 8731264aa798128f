// Turns `writeMany` writes into Redis commands on one pipeline: one command (or script) per write.
import type { ChainableCommander, Redis } from 'ioredis';
import type { KvWrite } from './port.ts';
import { HINCR_LUA, HMAX_LUA, HSET_LUA, LPUSH_TRIM_LUA } from './redis-scripts.ts';

type Arg = string | number;

export interface WriteScripts {
  kvHset(key: string, ttl: Arg, ...fieldsAndValues: Arg[]): unknown;
  kvHincr(key: string, ttl: Arg, ...fieldsAndIncrements: Arg[]): unknown;
  kvHmax(key: string, ...fieldsAndNumbers: Arg[]): unknown;
  kvLpushTrim(key: string, ttl: Arg, maxLen: number, ...values: string[]): unknown;
  kvIncrBucket(key: string, bucketStartMs: number, by: number, ttlMs: number): unknown;
}

export type WritePipeline = ChainableCommander & WriteScripts;

/** Registers the scripts the writes use (on the client, so pipelines have them too). */
export const defineWriteScripts = (client: Redis): void => {
  client.defineCommand('kvHset', { numberOfKeys: 1, lua: HSET_LUA });
  client.defineCommand('kvHincr', { numberOfKeys: 1, lua: HINCR_LUA });
  client.defineCommand('kvHmax', { numberOfKeys: 1, lua: HMAX_LUA });
  client.defineCommand('kvLpushTrim', { numberOfKeys: 1, lua: LPUSH_TRIM_LUA });
};

const pairs = (fields: Iterable<readonly [string, Arg]>): Arg[] => {
  const out: Arg[] = [];
  for (const [f, v] of fields) out.push(f, v);
  return out;
};

/** Queues the write; false for an empty write, which sends nothing. */
export const queueWrite = (p: WritePipeline, w: KvWrite): boolean => {
  const ttl = 'ttlMs' in w && w.ttlMs !== undefined ? w.ttlMs : '';
  switch (w.op) {
    case 'set':
      if (w.ttlMs === undefined) p.set(w.key, w.value);
      else p.set(w.key, w.value, 'PX', w.ttlMs);
      return true;
    case 'hset': {
      const args = pairs(Object.entries(w.fields));
      if (args.length > 0) p.kvHset(w.key, ttl, ...args);
      return args.length > 0;
    }
    case 'hincrby':
      if (w.fields.size > 0) p.kvHincr(w.key, ttl, ...pairs(w.fields));
      return w.fields.size > 0;
    case 'hmax':
      if (w.fields.size > 0) p.kvHmax(w.key, ...pairs(w.fields));
      return w.fields.size > 0;
    case 'lpushTrim':
      // Only the newest `maxLen` values can stay: the older ones are not sent.
      if (w.values.length > 0) p.kvLpushTrim(w.key, ttl, w.maxLen, ...w.values.slice(-w.maxLen));
      return w.values.length > 0;
    case 'incrBucket':
      p.kvIncrBucket(w.key, w.bucketStartMs, w.by, w.ttlMs);
      return true;
  }
};
