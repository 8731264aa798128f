// The per-request logger, made only when a request logs. Fastify gives every request a pino child holding its
// request id (and the auth hook adds tenantId and keyId); a pino child serializes and redacts its bindings
// when made and again on every setBindings. At the usual levels most requests never log below `info` and,
// with `warn`, not at all, so this stand-in keeps the bindings in a plain object and makes the real child,
// with all of them, at the first line that passes the level.
import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions, Level, LevelWithSilentOrString, Logger } from 'pino';

export class RequestLogger {
  readonly #parent: Logger;
  readonly #options: ChildLoggerOptions;
  readonly #bindings: Bindings;
  /** Bindings added before the child exists (the auth hook's tenantId and keyId). */
  #added: Bindings | undefined;
  #real: Logger | undefined;
  /** The level value below which nothing is written (the route's level, else the parent's). */
  #threshold: number;

  constructor(parent: Logger, bindings: Bindings, options: ChildLoggerOptions) {
    this.#parent = parent;
    this.#bindings = bindings;
    this.#options = options;
    this.#threshold = options.level ? parent.levels.values[options.level] : parent.levelVal;
  }

  /** The pino child, made now if it was not yet. */
  #logger(): Logger {
    this.#real ??= this.#parent.child(
      this.#added ? { ...this.#bindings, ...this.#added } : this.#bindings,
      this.#options,
    );
    return this.#real;
  }

  /** Writes at `level` when it passes the threshold (methods on the prototype: nothing made per request). */
  #write(level: Level, args: unknown[]): void {
    if (this.#parent.levels.values[level] < this.#threshold) return;
    (this.#logger()[level] as (...a: unknown[]) => void)(...args);
  }

  fatal(...args: unknown[]): void {
    this.#write('fatal', args);
  }
  error(...args: unknown[]): void {
    this.#write('error', args);
  }
  warn(...args: unknown[]): void {
    this.#write('warn', args);
  }
  info(...args: unknown[]): void {
    this.#write('info', args);
  }
  debug(...args: unknown[]): void {
    this.#write('debug', args);
  }
  trace(...args: unknown[]): void {
    this.#write('trace', args);
  }
  silent(): void {}

  get level(): LevelWithSilentOrString {
    return this.#real?.level ?? this.#options.level ?? this.#parent.level;
  }

  set level(level: LevelWithSilentOrString) {
    this.#logger().level = level;
    this.#threshold = this.#logger().levelVal;
  }

  isLevelEnabled(level: LevelWithSilentOrString): boolean {
    return (this.#parent.levels.values[level] ?? Number.POSITIVE_INFINITY) >= this.#threshold;
  }

  /** Adds bindings to every later line (in place, as pino's setBindings does); `bindings` is not copied. */
  setBindings(bindings: Bindings): void {
    if (this.#real) this.#real.setBindings(bindings);
    else if (this.#added) Object.assign(this.#added, bindings);
    else this.#added = bindings;
  }

  bindings(): Bindings {
    return this.#real
      ? this.#real.bindings()
      : { ...this.#parent.bindings(), ...this.#bindings, ...this.#added };
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): Logger {
    return this.#logger().child(bindings, options);
  }
}

/** Fastify's `childLoggerFactory`: a RequestLogger per request instead of a pino child. */
export const lazyChildLogger = (
  logger: FastifyBaseLogger,
  bindings: Bindings,
  options: ChildLoggerOptions,
): FastifyBaseLogger =>
  new RequestLogger(logger as Logger, bindings, options) as unknown as FastifyBaseLogger;
