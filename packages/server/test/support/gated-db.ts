// A second app over a test app's storage whose database holds chosen reads at a gate: a start's warm-up
// observed while it runs (not raced), or made to fail.
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { openSqlDatabase, type SqlDatabase } from '../../src/adapters/sql/index.ts';
import { buildApp, type QuiverApp } from '../../src/app.ts';
import type { Config } from '../../src/config/index.ts';
import { TEST_OPERATOR_KEY } from './app.ts';

/** The database, with every `query` whose SQL `holds` names waiting for `gate` (and failing if it throws). */
export const gatedDatabase = (
  db: SqlDatabase,
  holds: (sql: string) => boolean,
  gate: () => Promise<void>,
): SqlDatabase =>
  new Proxy(db, {
    get(target, prop) {
      if (prop === 'query')
        return async (sql: string, params?: []) => {
          if (holds(sql)) await gate();
          return target.query(sql, params);
        };
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });

/** A gate that stays shut until `open()`. */
export const shutGate = () => {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, wait: () => opened };
};

export interface GatedApp extends QuiverApp {
  /** As a TestApp's: inject with the app's own server. */
  request(opts: InjectOptions): Promise<LightMyRequestResponse>;
  operator: Record<string, string>;
  // biome-ignore lint/suspicious/noExplicitAny: the tests read the body loosely
  readyz(): Promise<{ status: number; body: any }>;
}

/** Builds an app on `config`'s storage (the first app closed) whose reads `holds` names wait for `gate`. */
export const startGatedApp = async (
  config: Config,
  holds: (sql: string) => boolean,
  gate: () => Promise<void>,
): Promise<GatedApp> => {
  const db = gatedDatabase(openSqlDatabase(config.databaseUrl, config.dataDir), holds, gate);
  const quiver = await buildApp(config, { db });
  return {
    ...quiver,
    request: (opts) => quiver.app.inject(opts),
    operator: { authorization: `Bearer ${TEST_OPERATOR_KEY}` },
    async readyz() {
      const res = await quiver.app.inject({ method: 'GET', url: '/readyz' });
      return { status: res.statusCode, body: res.json() };
    },
  };
};
