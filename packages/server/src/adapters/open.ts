// How a port is opened from a URL: one context, one signature, implementations keyed by URL scheme.
import type { Clock } from '../kernel/clock.ts';
import type { SqlDatabase } from './sql/port.ts';

/** Everything any adapter needs to open; each takes what it uses. */
export interface AdapterContext {
  /** Where the embedded implementations keep their files. */
  dataDir: string;
  /** The clock TTLs and timestamps are measured by. */
  clock?: Clock;
  /** S3 settings (`AWS_*`); default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Redis only: prepended to every key. */
  keyPrefix?: string;
  /** In-process KV only: restored on open when present, written on close. */
  snapshotFile?: string;
  /** The stream only: the database its embedded log lives in. */
  db?: SqlDatabase;
  /** Where an adapter that connects in the background (JetStream while NATS is down) reports it. */
  log?: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
}

/**
 * One port's implementations: chosen by the URL's scheme, or the embedded one when there is no URL.
 * `T` is what opening returns (the store, or a promise of it when opening connects).
 */
export interface Adapter<T> {
  /** The environment variable that names the URL, for messages. */
  readonly variable: string;
  /** Scheme (without `://`) → implementation. */
  readonly schemes: Readonly<Record<string, (url: string, context: AdapterContext) => T>>;
  /** No URL: the implementation that needs no server. */
  readonly embedded: (context: AdapterContext) => T;
}

/** `postgres://…` → `postgres`; undefined when the text has no `scheme://`. */
export const schemeOf = (url: string): string | undefined => /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1];

/** The accepted URLs, for messages: `postgres://, postgresql:// or sqlite://`. */
export const acceptedUrls = (adapter: Adapter<unknown>): string => {
  const schemes = Object.keys(adapter.schemes).map((s) => `${s}://`);
  return schemes.length > 1 ? `${schemes.slice(0, -1).join(', ')} or ${schemes.at(-1)}` : schemes.join('');
};

const shownScheme = (url: string) => `'${url.split(':')[0]}:'`;

/** Why `url` cannot open `adapter` (for the configuration's problem list), or undefined when it can. */
export const urlProblem = (adapter: Adapter<unknown>, url: string): string | undefined => {
  const scheme = schemeOf(url);
  return scheme !== undefined && Object.hasOwn(adapter.schemes, scheme)
    ? undefined
    : `unsupported scheme ${shownScheme(url)}; expected ${acceptedUrls(adapter)}`;
};

/** Opens the implementation `url` names, or the embedded one; any other scheme is a configuration error. */
export const openAdapter = <T>(adapter: Adapter<T>, url: string | undefined, context: AdapterContext): T => {
  if (!url) return adapter.embedded(context);
  if (urlProblem(adapter, url))
    throw new Error(
      `unsupported ${adapter.variable} scheme in ${shownScheme(url)}; expected ${acceptedUrls(adapter)}`,
    );
  return adapter.schemes[schemeOf(url)!](url, context);
};
