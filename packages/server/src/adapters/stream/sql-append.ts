// Appends a batch to the embedded log inside the publisher's transaction: multi-row INSERTs, keys that
// were already stored (or repeat within the batch) answered with the original position instead.
import { inList, type SqlExecutor, type SqlValue, valuesList } from '../sql/index.ts';
import type { OutgoingMessage } from './port.ts';

/** Rows per INSERT statement (5 parameters each); larger batches take several statements in one transaction. */
const MAX_ROWS_PER_INSERT = 500;

export const appendMessages = async (
  tx: SqlExecutor,
  topic: string,
  messages: readonly OutgoingMessage[],
  data: Buffer[],
  now: number,
): Promise<number[]> => {
  const positions: number[] = new Array(messages.length);
  const existing = await existingKeys(tx, topic, messages);
  const firstWithKey = new Map<string, number>();
  const copies: [number, number][] = [];
  const rows: number[] = [];
  messages.forEach(({ key }, i) => {
    const known = key === undefined ? undefined : existing.get(key);
    const first = key === undefined ? undefined : firstWithKey.get(key);
    if (known !== undefined) positions[i] = known;
    else if (first !== undefined) copies.push([i, first]);
    else {
      if (key !== undefined) firstWithKey.set(key, i);
      rows.push(i);
    }
  });
  for (let start = 0; start < rows.length; start += MAX_ROWS_PER_INSERT) {
    const chunk = rows.slice(start, start + MAX_ROWS_PER_INSERT);
    const params: SqlValue[] = [];
    for (const i of chunk) {
      const headers = messages[i].headers;
      params.push(topic, messages[i].key ?? null, data[i], now, headers ? JSON.stringify(headers) : null);
    }
    const inserted = await tx.query<{ position: number }>(
      `INSERT INTO stream_messages (topic, msg_key, data, created_at, headers) VALUES ${valuesList(chunk.length, 5)} RETURNING position`,
      params,
    );
    // Positions are assigned in VALUES order; RETURNING's row order is not promised, so sort.
    const assigned = inserted.map((r) => Number(r.position)).sort((a, b) => a - b);
    chunk.forEach((i, k) => {
      positions[i] = assigned[k];
    });
  }
  for (const [i, first] of copies) positions[i] = positions[first];
  return positions;
};

const existingKeys = async (
  tx: SqlExecutor,
  topic: string,
  messages: readonly OutgoingMessage[],
): Promise<Map<string, number>> => {
  const keys = [...new Set(messages.flatMap((m) => (m.key === undefined ? [] : [m.key])))];
  const found = new Map<string, number>();
  for (let start = 0; start < keys.length; start += MAX_ROWS_PER_INSERT) {
    const chunk = keys.slice(start, start + MAX_ROWS_PER_INSERT);
    const rows = await tx.query<{ msg_key: string; position: number }>(
      `SELECT msg_key, position FROM stream_messages WHERE topic = $1 AND msg_key IN (${inList(chunk.length, 2)})`,
      [topic, ...chunk],
    );
    for (const r of rows) found.set(r.msg_key, Number(r.position));
  }
  return found;
};
