// The progress display on stderr: a bar redrawn in place on a terminal, a periodic plain line otherwise.
import type { ImportProgress } from './importer.ts';

export const TTY_REDRAW_MS = 100;
export const PLAIN_INTERVAL_MS = 5_000;
const BAR_WIDTH = 24;
const CLEAR_LINE = '\x1b[K';

export interface ProgressOptions {
  tty: boolean;
  redrawMs?: number;
  plainIntervalMs?: number;
  now?: () => number;
}

export interface ProgressBar {
  update(progress: ImportProgress): void;
  /** Prints a line (a retry, a warning) without garbling the bar. */
  note(message: string): void;
  /** Draws the final state and ends the bar's line. */
  done(): void;
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');

const duration = (seconds: number) => {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(h > 0 ? 2 : 1, '0');
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(s % 60).padStart(2, '0')}`;
};

export const createProgressBar = (
  out: { write(text: string): unknown },
  options: ProgressOptions,
): ProgressBar => {
  const now = options.now ?? Date.now;
  const every = options.tty
    ? (options.redrawMs ?? TTY_REDRAW_MS)
    : (options.plainIntervalMs ?? PLAIN_INTERVAL_MS);
  const started = now();
  let firstBytes: number | undefined;
  let last: ImportProgress | undefined;
  let drawnAt = 0;
  let onScreen = false;

  const render = (p: ImportProgress) => {
    const elapsed = Math.max(0.001, (now() - started) / 1000);
    firstBytes ??= p.bytesRead;
    const fraction = p.totalBytes > 0 ? Math.min(1, p.bytesRead / p.totalBytes) : 1;
    const byteRate = (p.bytesRead - firstBytes) / elapsed;
    const eta = byteRate > 0 ? (p.totalBytes - p.bytesRead) / byteRate : Number.POSITIVE_INFINITY;
    const filled = Math.round(fraction * BAR_WIDTH);
    const parts = [
      `${(fraction * 100).toFixed(1).padStart(5)}%`,
      `rows ${int(p.rows)}`,
      `events sent ${int(p.eventsSent)}`,
      `${int(p.eventsThisRun / elapsed)} events/s`,
      `elapsed ${duration(elapsed)}`,
      `ETA ${fraction >= 1 ? '0:00' : duration(eta)}`,
    ];
    return options.tty
      ? `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${parts.join('  ')}`
      : `import: ${parts.join(', ')}`;
  };

  const draw = (p: ImportProgress) => {
    drawnAt = now();
    if (options.tty) {
      out.write(`\r${render(p)}${CLEAR_LINE}`);
      onScreen = true;
    } else {
      out.write(`${render(p)}\n`);
    }
  };

  return {
    update(p) {
      last = p;
      if (now() - drawnAt >= every) draw(p);
    },
    note(message) {
      if (onScreen) out.write(`\r${CLEAR_LINE}`);
      onScreen = false;
      out.write(`${message}\n`);
      if (options.tty && last) draw(last);
    },
    done() {
      if (last) draw(last);
      if (onScreen) out.write('\n');
      onScreen = false;
    },
  };
};
