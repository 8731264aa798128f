// Process roles: which parts of the module table a process runs (all-in-one, API replicas, background worker).

export const ROLE_NAMES = ['all', 'serve', 'worker'] as const;
export type Role = (typeof ROLE_NAMES)[number];

/** What a role runs: the HTTP API and the starts it needs (`serves`), the cluster's background work (`works`). */
export interface RoleParts {
  /** Module routes, and the starts of modules marked `serving` (per-replica indexes the API reads). */
  readonly serves: boolean;
  /** Each module's `work`: stream consumers of shared state, controllers, schedules, trainers. */
  readonly works: boolean;
}

export const ROLES: Record<Role, RoleParts> = {
  all: { serves: true, works: true },
  serve: { serves: true, works: false },
  worker: { serves: false, works: true },
};
