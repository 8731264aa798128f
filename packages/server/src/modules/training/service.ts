// Training runs as background jobs: queued in SQL, claimed one at a time per tenant, executed (events read on
// the main thread, the math in a worker thread), published; and per-kind automatic retraining (every N hours
// or after N new events) ticked by a timer. Recommender kinds run here; `search-ranker` in ranker-run.ts.
import {
  type CreateTrainingRun,
  type PutTrainingSchedule,
  type RecommenderKind,
  type StoredEvent,
  TRAINER_PARAMS,
  type TrainerKind,
  type TrainingRun,
  type TrainingSchedule,
} from '@quiver/contracts';
import { createLease, type SqlDatabase, underLease } from '../../adapters/sql/index.ts';
import { type Clock, compileValidator, isoNow, newId, QuiverError } from '../../kernel/index.ts';
import type { EventsService } from '../events/index.ts';
import { createUserHistoryStore } from '../recommend/index.ts';
import { NO_USAGE, type UsageMeter } from '../usage/index.ts';
import type { VectorsService } from '../vectors/index.ts';
import { createInteractionsBuilder, holdoutTime, type Interactions } from './interactions.ts';
import { publish } from './publish.ts';
import type { RankerPublishDeps } from './publish-ranker.ts';
import { type RankerRunDeps, runSearchRanker } from './ranker-run.ts';
import { createTrainingRepository, type RunRequest, type RunRow, type ScheduleRow } from './repository.ts';
import { NEVER, tickRetraining } from './retrain.ts';
import { fitRankerInWorker, TrainingInterrupted, trainInWorker } from './runner.ts';
import { DEFAULT_CONTENT, DEFAULT_PARAMS, type OfflineRun } from './trainers.ts';
import { userHistories } from './user-history.ts';

export const DEFAULT_TICK_MS = 30_000;
/** A running run whose replica has not written for this long is failed (the replica died). */
export const DEFAULT_STALE_MS = 10 * 60_000;
export const DEFAULT_HOLDOUT = 0.1;
const REPLAY_PAGE = 1000;

/**
 * Lets timers and I/O run. The embedded database (better-sqlite3) answers synchronously, so a loop of awaited
 * queries is one chain of resolved promises that never leaves the microtask queue: reading 100,000 events
 * held the event loop for 3–5 s, stalling every tenant's requests. One turn per page bounds a block to one
 * page (≈ 20–50 ms here: the page's SQL, JSON parsing and interaction building).
 */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const PROGRESS_SAVE_MS = 1000;
const HOUR_MS = 3_600_000;

export interface TrainingDeps extends RankerPublishDeps {
  db: SqlDatabase;
  /** Hybrid search's second-phase candidates, for the search-ranker trainer; absent: its runs fail. */
  search?: RankerRunDeps['search'];
  events: Pick<EventsService, 'replay' | 'countAfter'>;
  /** The search encoder's item embeddings, for the content trainer; absent: content runs fail. */
  vectors?: Pick<VectorsService, 'itemVectors'>;
  clock: Clock;
  onError?: (error: unknown, what: string) => void;
  /** Counts each run's training CPU seconds for its tenant; default: no metering. */
  usage?: UsageMeter;
}

export interface TrainingOptions {
  /** How often due schedules and queued runs are looked for (a POST also starts work at once). */
  tickMs?: number;
  staleMs?: number;
  /** Trains in a worker thread (default); tests of the job API can train inline. */
  train?: typeof trainInWorker;
  /** Fits the search ranker in a worker thread (default). */
  fitRanker?: typeof fitRankerInWorker;
}

const validators = Object.fromEntries(
  Object.entries(TRAINER_PARAMS).map(([kind, schema]) => [
    kind,
    compileValidator<Record<string, unknown>>(schema),
  ]),
) as Record<TrainerKind, ReturnType<typeof compileValidator<Record<string, unknown>>>>;

const requestOf = (kind: TrainerKind, body: CreateTrainingRun): RunRequest => {
  const params = body.params ?? {};
  const checked = validators[kind](params, '/params');
  if (!checked.ok)
    throw new QuiverError('validation_failed', `Invalid ${kind} parameters`, { errors: checked.errors });
  return { params, evaluation: body.evaluation ?? {}, promote: body.promote ?? 'if-better' };
};

const toRun = (r: RunRow): TrainingRun => ({
  id: r.id,
  kind: r.kind as TrainerKind,
  status: r.status,
  trigger: r.trigger,
  params: r.request.params,
  evaluation: r.request.evaluation,
  promote: r.request.promote,
  progress: r.progress,
  timings: r.timings,
  data: (r.result.data as TrainingRun['data']) ?? null,
  metrics: (r.result.metrics as TrainingRun['metrics']) ?? null,
  baseline: (r.result.baseline as TrainingRun['baseline']) ?? null,
  model: (r.result.model as TrainingRun['model']) ?? null,
  promotion: (r.result.promotion as TrainingRun['promotion']) ?? null,
  endpoints: (r.result.endpoints as string[]) ?? [],
  error: r.error,
  createdAt: r.createdAt,
  startedAt: r.startedAt,
  finishedAt: r.finishedAt,
});

const toSchedule = (s: ScheduleRow, newEvents: number | null): TrainingSchedule => ({
  kind: s.kind as TrainerKind,
  everyHours: s.everyMs > 0 ? s.everyMs / HOUR_MS : null,
  afterEvents: s.afterEvents,
  newEvents,
  params: s.request.params,
  evaluation: s.request.evaluation,
  promote: s.request.promote,
  nextRunAt: s.nextRunAt < NEVER ? new Date(s.nextRunAt).toISOString() : null,
  lastRunId: s.lastRunId,
  updatedAt: s.updatedAt,
});

const numbers = (m: object, prefix = ''): Record<string, number> =>
  Object.fromEntries(Object.entries(m).map(([k, v]) => [`${prefix}${k}`, Number(v)]));

export const createTrainingService = (deps: TrainingDeps, options: TrainingOptions = {}): TrainingService => {
  const repo = createTrainingRepository(deps.db);
  const histories = createUserHistoryStore(deps.db);
  const { clock } = deps;
  const onError = deps.onError ?? (() => {});
  const usage = deps.usage ?? NO_USAGE;
  const train = options.train ?? trainInWorker;
  const staleMs = options.staleMs ?? DEFAULT_STALE_MS;
  let timer: NodeJS.Timeout | undefined;
  let pumping: Promise<void> | undefined;
  let closed = false;
  // Due schedules are looked at by one replica per cluster at a time (the others still run queued runs).
  const scheduleLease = createLease(deps.db, clock, 'training.schedules');
  /** Aborted by close: the run in progress stops at its next page, or its worker is terminated. */
  const stopping = new AbortController();
  const interrupted = () => {
    if (stopping.signal.aborted) throw new TrainingInterrupted();
  };
  /** Work the run cannot abort (the encoder's first build reads ~300 MB): the run stops waiting for it on close. */
  const unlessInterrupted = <T>(work: Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const interrupt = () => reject(new TrainingInterrupted());
      if (stopping.signal.aborted) return interrupt();
      stopping.signal.addEventListener('abort', interrupt, { once: true });
      work.then(resolve, reject).finally(() => stopping.signal.removeEventListener('abort', interrupt));
    });

  /** Every event of the run's tenant, page by page, a turn between pages; resolves with how many. */
  const replay = async (
    run: RunRow,
    save: () => Promise<void>,
    onEvent: (event: StoredEvent) => void,
  ): Promise<number> => {
    let read = 0;
    for (let after = 0; ; ) {
      const page = await deps.events.replay(run.tenantId, after, REPLAY_PAGE);
      if (page.events.length === 0) break;
      for (const { event } of page.events) onEvent(event);
      read += page.events.length;
      after = page.lastPosition;
      run.result.eventsRead = read;
      await save();
      await nextTurn();
      interrupted();
    }
    return read;
  };

  const readEvents = async (run: RunRow, save: () => Promise<void>): Promise<Interactions> => {
    const builder = createInteractionsBuilder();
    await replay(run, save, (event) => builder.add(event));
    return builder.build();
  };

  /** A recommender kind's run: the events as interactions, the offline run in a worker, publishing. */
  const trainRecommender = async (
    run: RunRow,
    kind: RecommenderKind,
    phase: (name: string, fraction: number) => void,
    save: (force?: boolean) => Promise<void>,
    startedMs: number,
  ): Promise<void> => {
    const x = await readEvents(run, save);
    if (x.length === 0 && kind !== 'content')
      throw new QuiverError(
        'unprocessable',
        'the tenant has no item events (view, click, add_to_cart, purchase) to train on',
      );
    const { splitAt, holdout } = run.request.evaluation;
    const splitTime = splitAt ? Date.parse(splitAt) : holdoutTime(x, holdout ?? DEFAULT_HOLDOUT);
    let vectors: Awaited<ReturnType<VectorsService['itemVectors']>> | undefined;
    if (kind === 'content') {
      if (!deps.vectors) throw new QuiverError('unavailable', 'content training needs the vectors module');
      const limit = Number(run.request.params.maxItems ?? DEFAULT_CONTENT.maxItems);
      vectors = await unlessInterrupted(deps.vectors.itemVectors(run.tenantId, limit));
      if (vectors.ids.length === 0)
        throw new QuiverError('unprocessable', 'the catalog has no items to embed');
    }
    const iso = (t: number) => new Date(t).toISOString();
    const window = x.length > 0 ? { from: iso(x.time[0]), to: iso(x.time[x.length - 1]) } : undefined;
    run.result.data = {
      events: x.length,
      items: x.items.length,
      users: x.users.length,
      from: window?.from ?? null,
      to: window?.to ?? null,
      splitAt: x.length > 0 ? iso(splitTime) : null,
    };
    run.timings.readMs = Math.round(performance.now() - startedMs);
    phase('evaluating', 0);
    await save(true);
    // Every customer's history as this run sees it, for for-user (computed now: the worker takes x's arrays).
    const history = userHistories(x);
    // The worker takes x's arrays: nothing below reads them.
    const offline: OfflineRun = await train(
      { kind, interactions: x, params: run.request.params, splitTime, vectors },
      (name, fraction) => {
        phase(name, fraction);
        save().catch((e) => onError(e, `training run ${run.id} progress`));
      },
      stopping.signal,
    );
    // The math runs synchronously in its own thread: its measured time there is that thread's CPU time.
    usage.count(
      run.tenantId,
      'training_cpu_s',
      (offline.timings.evaluateMs + offline.timings.trainMs) / 1000,
    );
    interrupted();
    run.timings.evaluateMs = Math.round(offline.timings.evaluateMs);
    run.timings.trainMs = Math.round(offline.timings.trainMs);
    const metrics = { ...numbers(offline.metrics), ...numbers(offline.baseline, 'popularity_') };
    run.result.metrics = numbers(offline.metrics);
    run.result.baseline = numbers(offline.baseline);
    phase('publishing', 0);
    await save(true);
    const publishedAt = performance.now();
    const published = await publish(deps, {
      tenantId: run.tenantId,
      runId: run.id,
      kind,
      fitted: offline.fitted,
      // The effective parameters (defaults filled in), so the version says exactly how it was trained.
      params: { ...DEFAULT_PARAMS[kind], ...run.request.params },
      metrics,
      trainingWindow: window,
      promote: run.request.promote,
    });
    run.result.model = published.model;
    run.result.promotion = published.promotion;
    run.result.endpoints = published.endpoints;
    await histories.replace(run.tenantId, history, isoNow(clock));
    run.timings.publishMs = Math.round(performance.now() - publishedAt);
    run.status = 'succeeded';
    phase('done', 1);
  };

  const execute = async (run: RunRow): Promise<void> => {
    const kind = run.kind as TrainerKind;
    const startedMs = performance.now();
    let savedAt = 0;
    const save = async (force = false) => {
      const now = clock.now();
      if (!force && now - savedAt < PROGRESS_SAVE_MS) return;
      savedAt = now;
      await repo.saveProgress(run, now);
    };
    const phase = (name: string, fraction: number) => {
      run.progress = { phase: name, fraction: Math.max(0, Math.min(1, fraction)) };
    };
    try {
      phase('reading', 0);
      if (kind === 'search-ranker') {
        await runSearchRanker(deps, run, {
          replay: (onEvent) => replay(run, save, onEvent),
          phase,
          save,
          progress: (name, fraction) => {
            phase(name, fraction);
            save().catch((e) => onError(e, `training run ${run.id} progress`));
          },
          interrupted,
          fit: options.fitRanker ?? fitRankerInWorker,
          signal: stopping.signal,
        });
        const fitMs = (run.timings.evaluateMs ?? 0) + (run.timings.trainMs ?? 0);
        usage.count(run.tenantId, 'training_cpu_s', fitMs / 1000);
        run.status = 'succeeded';
        phase('done', 1);
      } else await trainRecommender(run, kind, phase, save, startedMs);
    } catch (error) {
      if (stopping.signal.aborted && !(error instanceof QuiverError)) {
        await repo.requeueRun(
          run,
          `interrupted by a shutdown at ${isoNow(clock)}; queued again`,
          clock.now(),
        );
        return;
      }
      run.status = 'failed';
      run.error = error instanceof Error ? error.message : String(error);
      if (!(error instanceof QuiverError)) onError(error, `training run ${run.id} failed`);
    }
    run.timings.totalMs = Math.round(performance.now() - startedMs);
    run.finishedAt = isoNow(clock);
    await repo.finishRun(run, clock.now());
  };

  /** Claims and executes queued runs, one at a time in this replica, until none can be claimed. */
  const pump = async () => {
    for (;;) {
      if (closed) return;
      let ran = false;
      for (const queued of await repo.queuedRuns(50)) {
        if (closed) return;
        const startedAt = isoNow(clock);
        if (!(await repo.claimRun(queued.tenantId, queued.id, startedAt, clock.now()))) continue;
        await execute({
          ...queued,
          error: null,
          status: 'running',
          startedAt,
          progress: { phase: 'reading', fraction: 0 },
        });
        ran = true;
        break;
      }
      if (!ran) return;
    }
  };

  // A kick while a pump is in flight (it may have listed the queue already) starts another pump after it.
  let kickedAgain = false;
  const kick = (): Promise<void> => {
    if (pumping) {
      kickedAgain = true;
      return pumping.then(() => pumping);
    }
    kickedAgain = false;
    pumping = pump()
      .catch((error) => onError(error, 'training queue failed'))
      .finally(() => {
        pumping = undefined;
        if (kickedAgain && !closed) void kick();
      });
    return pumping;
  };

  const insertRun = async (
    tenantId: string,
    kind: TrainerKind,
    request: RunRequest,
    trigger: RunRow['trigger'],
    id = newId('trn'),
  ): Promise<RunRow> => {
    const row: RunRow = {
      tenantId,
      id,
      kind,
      status: 'queued',
      trigger,
      request,
      progress: { phase: 'queued', fraction: 0 },
      timings: {},
      result: {},
      error: null,
      createdAt: isoNow(clock),
      startedAt: null,
      finishedAt: null,
    };
    await repo.insertRun(row, clock.now());
    return row;
  };

  /** Due schedules and schedules with enough new events start a run each (one replica wins each). */
  const tickSchedules = async () => {
    const now = clock.now();
    await repo.failStale(now - staleMs, isoNow(clock));
    await tickRetraining({ repo, events: deps.events, insertRun }, now);
  };

  const scheduleOf = async (s: ScheduleRow): Promise<TrainingSchedule> =>
    toSchedule(
      s,
      s.afterEvents === null ? null : (await deps.events.countAfter(s.tenantId, s.eventsPosition)).count,
    );

  const tickNow = async () => {
    await tickSchedules();
    await kick();
  };

  return {
    async createRun(tenantId: string, kind: TrainerKind, body: CreateTrainingRun): Promise<TrainingRun> {
      const row = await insertRun(tenantId, kind, requestOf(kind, body), 'api');
      // Started at once where this process trains (all-in-one, worker); else a worker's next tick claims it.
      if (timer) void kick();
      return toRun(row);
    },

    async getRun(tenantId: string, id: string): Promise<TrainingRun> {
      const row = await repo.getRun(tenantId, id);
      if (!row) throw new QuiverError('not_found', `training run '${id}' was not found`);
      return toRun(row);
    },

    async listRuns(tenantId: string, filter: RunFilter, limit: number): Promise<TrainingRun[]> {
      return (await repo.listRuns(tenantId, filter, limit)).map(toRun);
    },

    async putSchedule(
      tenantId: string,
      kind: TrainerKind,
      body: PutTrainingSchedule,
    ): Promise<TrainingSchedule> {
      if (body.everyHours === undefined && body.afterEvents === undefined)
        throw new QuiverError('validation_failed', 'A schedule needs everyHours, afterEvents or both', {
          errors: [{ path: '/everyHours', message: 'must be set when afterEvents is not' }],
        });
      const request = requestOf(kind, body);
      const everyMs = body.everyHours === undefined ? 0 : Math.round(body.everyHours * HOUR_MS);
      // Events already accepted do not count towards afterEvents: only those that arrive from now on.
      const eventsPosition =
        body.afterEvents === undefined ? 0 : (await deps.events.countAfter(tenantId, 0)).lastPosition;
      await repo.putSchedule({
        tenantId,
        kind,
        everyMs,
        afterEvents: body.afterEvents ?? null,
        eventsPosition,
        request,
        nextRunAt: everyMs > 0 ? clock.now() + everyMs : NEVER,
        lastRunId: null,
        seq: 0,
        updatedAt: isoNow(clock),
      });
      return scheduleOf((await repo.getSchedule(tenantId, kind))!);
    },

    async getSchedule(tenantId: string, kind: TrainerKind): Promise<TrainingSchedule> {
      const s = await repo.getSchedule(tenantId, kind);
      if (!s) throw new QuiverError('not_found', `no ${kind} training schedule`);
      return scheduleOf(s);
    },

    async deleteSchedule(tenantId: string, kind: TrainerKind): Promise<void> {
      if (!(await repo.deleteSchedule(tenantId, kind)))
        throw new QuiverError('not_found', `no ${kind} training schedule`);
    },

    /** Runs due schedules and queued runs now, resolving when this replica has no more to do (tests). */
    tickNow,

    start(): void {
      clearInterval(timer);
      timer = setInterval(() => {
        underLease(scheduleLease, tickSchedules)
          .then(() => kick())
          .catch((error) => onError(error, 'training tick failed'));
      }, options.tickMs ?? DEFAULT_TICK_MS);
      timer.unref();
      void kick();
    },

    async close(): Promise<void> {
      closed = true;
      clearInterval(timer);
      stopping.abort();
      await pumping;
      if (timer) await scheduleLease.release().catch((e) => onError(e, 'releasing the schedule lease'));
    },
  };
};

export interface RunFilter {
  kind?: TrainerKind;
  trigger?: TrainingRun['trigger'];
}

/** Recommender training runs (queued, claimed, trained in a worker, published) and per-kind schedules. */
export interface TrainingService {
  /** Queues a run and starts work on it at once. */
  createRun(tenantId: string, kind: TrainerKind, body: CreateTrainingRun): Promise<TrainingRun>;
  /** One run; `not_found` when absent. */
  getRun(tenantId: string, id: string): Promise<TrainingRun>;
  /** The tenant's runs, newest first, of one kind and trigger or all, at most `limit`. */
  listRuns(tenantId: string, filter: RunFilter, limit: number): Promise<TrainingRun[]>;
  /** Creates or replaces the kind's automatic retraining; `validation_failed` without any trigger. */
  putSchedule(tenantId: string, kind: TrainerKind, body: PutTrainingSchedule): Promise<TrainingSchedule>;
  /** The kind's schedule; `not_found` when there is none. */
  getSchedule(tenantId: string, kind: TrainerKind): Promise<TrainingSchedule>;
  /** Removes the kind's schedule; `not_found` when there is none. */
  deleteSchedule(tenantId: string, kind: TrainerKind): Promise<void>;
  /** Runs due schedules and queued runs now, resolving when this replica has no more to do (tests). */
  tickNow(): Promise<void>;
  /**
   * Looks for due schedules (under the cluster lease `training.schedules`) and queued runs now and then on a
   * timer, and runs new runs at once (returns at once). Without it, runs created here wait for a worker.
   */
  start(): void;
  /** Stops the timer and interrupts the run in progress (queued again for the next start), then waits for it. */
  close(): Promise<void>;
}
