// The module contract every modules/<name>/index.ts builds, and the lifecycle table app.ts runs them in.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { BackgroundLog } from './failure-run.ts';
import { ROLES, type RoleParts } from './roles.ts';
import type { WarmUp } from './warm-up.ts';

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
  /** Starts what this replica needs to answer (per-replica indexes, buffers) once routes are registered. */
  start?(): Promise<void> | void;
  /**
   * Starts the cluster's background work (consumers of shared state, controllers, schedules, trainers): run
   * only by processes whose role works (all-in-one, worker), after every `start`; once-per-cluster steps
   * inside it take a lease. Stopped by `close`.
   */
  work?(): Promise<void> | void;
  /** What `start` begins in the background and the replica finishes before it reports ready. */
  readonly warmUp?: WarmUp;
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
  /**
   * Records a built module; returns its service for the modules built after it. `serving`: its `start`
   * only matters to a process that serves the API (a worker skips it); default: every role starts it.
   */
  add<S>(module: QuiverModule<S>, startsOn?: 'every' | 'serving'): S;
  /** Each module's routes, in build order; none for a role that does not serve. */
  routes(): FastifyPluginAsyncTypebox[];
  /** Starts each module the role runs in build order, one after another, then their work. */
  start(): Promise<void>;
  /** The same starts as steps (starts in build order, then work), for a caller that runs (and retries) them. */
  starts(): Array<() => Promise<void>>;
  /** The names of the modules' warm-ups still running (readiness waits for them). */
  warming(): string[];
  /** Resolves once every module's warm-up has settled. */
  whenWarm(): Promise<void>;
  /**
   * Closes everything in reverse order. Every closer runs even when one fails; the failures are thrown
   * together afterwards.
   */
  close(): Promise<void>;
}

/** The lifecycle of a process in `role` (default: all-in-one). */
export const createLifecycle = (role: RoleParts = ROLES.all): Lifecycle => {
  const opened: Closable[] = [];
  const modules: { module: QuiverModule<unknown>; startsOn: 'every' | 'serving' }[] = [];
  const steps = (): Array<() => Promise<void>> => [
    ...modules.flatMap(({ module: m, startsOn }) =>
      m.start && (startsOn === 'every' || role.serves) ? [async () => void (await m.start?.())] : [],
    ),
    ...modules.flatMap(({ module: m }) =>
      m.work && role.works ? [async () => void (await m.work?.())] : [],
    ),
  ];
  return {
    open(resource) {
      opened.push(resource);
      return resource;
    },
    add(module, startsOn = 'every') {
      opened.push(module);
      modules.push({ module, startsOn });
      return module.service;
    },
    routes: () => (role.serves ? modules.flatMap(({ module: m }) => (m.routes ? [m.routes] : [])) : []),
    async start() {
      for (const step of steps()) await step();
    },
    starts: steps,
    warming: () => modules.flatMap(({ module: m }) => (m.warmUp?.running() ? [m.warmUp.name] : [])),
    async whenWarm() {
      await Promise.all(modules.map(({ module: m }) => m.warmUp?.settled()));
    },
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
