// The module contract every modules/<name>/index.ts builds, and the lifecycle table app.ts runs them in.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { BackgroundLog } from './failure-run.ts';

/** Where modules report background failures (the app's logger). */
export type ModuleLog = BackgroundLog;

/**
 * What `create<Name>Module(deps)` returns. `deps` names the adapters and the other modules' services the
 * module uses; `service` is typed by an interface the module writes. A module closes what it opened.
 */
export interface QuiverModule<S> {
  /** What other modules and the app use. */
  readonly service: S;
  /** The module's HTTP surface: one encapsulated plugin, registered once every module is built. */
  readonly routes?: FastifyPluginAsyncTypebox;
  /** Starts background work (consumers, timers) once every module's routes are registered. */
  start?(): Promise<void> | void;
  /** Stops what the module opened; called once, after the modules built after it have closed. */
  close?(): Promise<void> | void;
}

/** Something opened at startup that must be closed at shutdown (an adapter, a module). */
export interface Closable {
  close?(): Promise<void> | void;
}

/**
 * The composition root's ordered table: adapters and modules are recorded in the order they are opened
 * (dependency order), routes registered and modules started in that order, and everything closed in exact
 * reverse order (Fastify's onClose habit: what was opened last, and may use what came before, stops first).
 */
export interface Lifecycle {
  /** Records an opened adapter (or any resource) to close after everything opened later; returns it. */
  open<T extends Closable>(resource: T): T;
  /** Records a built module; returns its service for the modules built after it. */
  add<S>(module: QuiverModule<S>): S;
  /** Each module's routes, in build order. */
  routes(): FastifyPluginAsyncTypebox[];
  /** Starts each module in build order, one after another. */
  start(): Promise<void>;
  /** The same starts as steps, in build order, for a caller that runs (and retries) them itself. */
  starts(): Array<() => Promise<void>>;
  /**
   * Closes everything in reverse order. Every closer runs even when one fails; the failures are thrown
   * together afterwards.
   */
  close(): Promise<void>;
}

export const createLifecycle = (): Lifecycle => {
  const opened: Closable[] = [];
  const modules: QuiverModule<unknown>[] = [];
  return {
    open(resource) {
      opened.push(resource);
      return resource;
    },
    add(module) {
      opened.push(module);
      modules.push(module);
      return module.service;
    },
    routes: () => modules.flatMap((m) => (m.routes ? [m.routes] : [])),
    async start() {
      for (const m of modules) await m.start?.();
    },
    starts: () => modules.flatMap((m) => (m.start ? [async () => void (await m.start?.())] : [])),
    async close() {
      const errors: unknown[] = [];
      for (const resource of opened.toReversed()) {
        try {
          await resource.close?.();
        } catch (error) {
          errors.push(error);
        }
      }
      if (errors.length === 1) throw errors[0];
      if (errors.length > 1) throw new AggregateError(errors, 'closing failed');
    },
  };
};
