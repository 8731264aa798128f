// Schema of the embedded stream log: the messages in append order and each consumer's stored position.
import type { Migration } from '../sql/index.ts';

const consumers =
  'CREATE TABLE stream_consumers (name TEXT PRIMARY KEY, filter TEXT NOT NULL, position BIGINT NOT NULL, updated_at BIGINT NOT NULL);';
const indexes = `CREATE INDEX stream_messages_topic ON stream_messages (topic, position);
CREATE UNIQUE INDEX stream_messages_key ON stream_messages (topic, msg_key) WHERE msg_key IS NOT NULL;`;

export const streamMigrations: Migration[] = [
  {
    version: 500,
    name: 'stream_log',
    sql: {
      // AUTOINCREMENT: a position is never reused, even after the newest messages are deleted.
      sqlite: `CREATE TABLE stream_messages (position INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT NOT NULL, msg_key TEXT, data BLOB NOT NULL, created_at BIGINT NOT NULL);
${indexes}
${consumers}`,
      postgres: `CREATE TABLE stream_messages (position BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, topic TEXT NOT NULL, msg_key TEXT, data BYTEA NOT NULL, created_at BIGINT NOT NULL);
${indexes}
${consumers}`,
    },
  },
  {
    // A message's headers as a JSON object (the W3C trace context), NULL when it has none.
    version: 501,
    name: 'stream_headers',
    sql: 'ALTER TABLE stream_messages ADD COLUMN headers TEXT;',
  },
];
