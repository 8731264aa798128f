// The adapter table: each port's implementations keyed by URL scheme, opened one way (see open.ts); the
// configuration checks its URLs against the same table.
import { blobAdapter } from './blob/index.ts';
import { kvAdapter } from './kv/index.ts';
import { type Adapter, type AdapterContext, openAdapter } from './open.ts';
import { sqlAdapter } from './sql/index.ts';
import { streamAdapter } from './stream/index.ts';

export {
  type Adapter,
  type AdapterContext,
  acceptedUrls,
  openAdapter,
  schemeOf,
  urlProblem,
} from './open.ts';

/** Port → its implementations and the configuration setting whose URL chooses one. */
export const ADAPTERS = {
  sql: { setting: 'databaseUrl', adapter: sqlAdapter },
  kv: { setting: 'redisUrl', adapter: kvAdapter },
  stream: { setting: 'streamUrl', adapter: streamAdapter },
  blob: { setting: 'artifactsUrl', adapter: blobAdapter },
} as const satisfies Record<string, { setting: string; adapter: Adapter<unknown> }>;

export type Port = keyof typeof ADAPTERS;

/** What opening `port` gives: the store, or a promise of it for the stream (which may connect). */
export type Opened<P extends Port> = (typeof ADAPTERS)[P]['adapter'] extends Adapter<infer T> ? T : never;

/** The configuration settings holding the ports' URLs. */
export type UrlSettings = { readonly [P in Port as (typeof ADAPTERS)[P]['setting']]?: string };

/** Opens the implementation of `port` that its setting's URL names, or the embedded one (see openAdapter). */
export const openPort = <P extends Port>(port: P, urls: UrlSettings, context: AdapterContext): Opened<P> => {
  const { setting, adapter } = ADAPTERS[port];
  return openAdapter(adapter as Adapter<Opened<P>>, urls[setting], context);
};
