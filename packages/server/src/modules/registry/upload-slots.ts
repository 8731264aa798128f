// A bound on the model uploads one process reads and validates at once; the excess is refused, not queued.
import { QuiverError } from '../../kernel/index.ts';

/** What a refused upload is told to wait: uploads take seconds (a body to read, a model to load and run). */
export const UPLOAD_RETRY_AFTER_S = 5;

export interface UploadSlots {
  /** Upload slots taken now. */
  readonly active: number;
  /**
   * Takes a slot, or throws `unavailable` (503, Retry-After) when all are taken. Refusing rather than queueing
   * keeps an excess upload's body unread on its socket, costing neither memory, disk nor a validation run.
   * Call the returned function once the upload is stored or refused.
   */
  take(): () => void;
}

export const createUploadSlots = (limit: number): UploadSlots => {
  let active = 0;
  return {
    get active() {
      return active;
    },
    take() {
      if (active >= limit) {
        throw new QuiverError(
          'unavailable',
          `This server is already taking ${limit} model upload(s); retry in ${UPLOAD_RETRY_AFTER_S} s`,
          { retryAfterS: UPLOAD_RETRY_AFTER_S },
        );
      }
      active += 1;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        active -= 1;
      };
    },
  };
};
