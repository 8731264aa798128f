// A circuit breaker per served target: consecutive failures or an error rate open it for a cool-down,
// then one probe (half-open) decides whether it closes again.
import type { BreakerSettings } from '@quiver/contracts';
import type { Clock } from '../../kernel/index.ts';

export const DEFAULT_BREAKER: Required<BreakerSettings> = {
  consecutiveFailures: 5,
  errorRate: 0.5,
  minRequests: 20,
  windowMs: 10_000,
  coolDownMs: 30_000,
};

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface Breaker {
  /** Whether a call may go through now; in half-open state only one probe at a time. */
  allow(): boolean;
  success(): void;
  failure(): void;
  state(): BreakerState;
}

export const createBreaker = (clock: Clock, settings: BreakerSettings = {}): Breaker => {
  const s = { ...DEFAULT_BREAKER, ...settings };
  let state: BreakerState = 'closed';
  let consecutive = 0;
  let openedAt = 0;
  let probing = false;
  // Outcomes in the current window (a fixed window restarted when it expires: cheap and good enough).
  let windowStart = clock.now();
  let calls = 0;
  let failures = 0;

  const roll = () => {
    const now = clock.now();
    if (now - windowStart >= s.windowMs) {
      windowStart = now;
      calls = 0;
      failures = 0;
    }
  };
  const open = () => {
    state = 'open';
    openedAt = clock.now();
    probing = false;
  };
  const close = () => {
    state = 'closed';
    consecutive = 0;
    probing = false;
    windowStart = clock.now();
    calls = 0;
    failures = 0;
  };

  return {
    allow() {
      if (state === 'open' && clock.now() - openedAt >= s.coolDownMs) state = 'half_open';
      if (state === 'closed') return true;
      if (state === 'half_open' && !probing) {
        probing = true;
        return true;
      }
      return false;
    },
    success() {
      if (state === 'half_open') return close();
      consecutive = 0;
      roll();
      calls++;
    },
    failure() {
      if (state === 'half_open') return open();
      consecutive++;
      roll();
      calls++;
      failures++;
      if (consecutive >= s.consecutiveFailures || (calls >= s.minRequests && failures / calls >= s.errorRate))
        open();
    },
    state() {
      if (state === 'open' && clock.now() - openedAt >= s.coolDownMs) return 'half_open';
      return state;
    },
  };
};
