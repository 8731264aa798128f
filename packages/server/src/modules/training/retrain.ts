// Automatic retraining: a schedule starts a run when its hours come due or once `afterEvents` new events
// arrived since its last run (or since it was set). Runs it starts are gated like any other (its `promote`).
import type { TrainerKind } from '@quiver/contracts';
import { newId } from '../../kernel/index.ts';
import type { EventsService } from '../events/index.ts';
import type { RunRow, ScheduleRow, TrainingRepository } from './repository.ts';

/** next_run_at of a schedule without a time trigger (fits BIGINT and a double exactly). */
export const NEVER = Number.MAX_SAFE_INTEGER;

export interface RetrainDeps {
  repo: TrainingRepository;
  events: Pick<EventsService, 'countAfter'>;
  insertRun: (
    tenantId: string,
    kind: TrainerKind,
    s: ScheduleRow['request'],
    trigger: RunRow['trigger'],
    id: string,
  ) => Promise<unknown>;
}

/**
 * Starts the runs of due schedules (time) and of schedules whose tenant has enough new events. Each start
 * moves the schedule on (next time from now, event position to the newest counted event) by a conditional
 * update, so one replica starts each run however many tick at once; the other trigger restarts from there
 * too ("since the last run"). Positions are read from the events record, which is written just after an
 * event is durable: an event still in flight is counted at the next tick, never lost (the run reads the log).
 */
export const tickRetraining = async (
  { repo, events, insertRun }: RetrainDeps,
  now: number,
): Promise<void> => {
  const start = async (s: ScheduleRow, trigger: 'schedule' | 'events', eventsPosition: number) => {
    const runId = newId('trn');
    // Next time from now, not from the missed slot: a server that was down does not catch up in a burst.
    const runAt = s.everyMs > 0 ? now + s.everyMs : NEVER;
    if (!(await repo.advanceSchedule(s, { runAt, eventsPosition }, runId))) return;
    await insertRun(s.tenantId, s.kind as TrainerKind, s.request, trigger, runId);
  };
  const started = new Set<string>();
  for (const s of await repo.dueSchedules(now)) {
    const position =
      s.afterEvents === null
        ? s.eventsPosition
        : (await events.countAfter(s.tenantId, s.eventsPosition)).lastPosition;
    await start(s, 'schedule', position);
    started.add(`${s.tenantId}\n${s.kind}`);
  }
  for (const s of await repo.eventSchedules()) {
    if (s.afterEvents === null || started.has(`${s.tenantId}\n${s.kind}`)) continue;
    const fresh = await events.countAfter(s.tenantId, s.eventsPosition);
    if (fresh.count >= s.afterEvents) await start(s, 'events', fresh.lastPosition);
  }
};
